package io.noah.cluster.nodeops;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeOpPlannerTest {

    private static NodeOp.Spec spec(int concurrency, int perCluster, int racks) {
        return new NodeOp.Spec(NodeOp.Action.DRAIN, false, concurrency, perCluster, racks, false, false, Duration.ofHours(1), "rack", null);
    }

    private static NodeOp.NodeState node(String cluster, String rack, String name, NodeOp.Phase phase) {
        return new NodeOp.NodeState(cluster, name, rack, phase, 0, List.of(), null, null, null);
    }

    @Test
    void oneRackAtATimeFinishesARackBeforeTheNextStarts() {
        List<NodeOp.NodeState> nodes = new ArrayList<>(List.of(node("a", "r1", "n1", NodeOp.Phase.PENDING), node("a", "r1", "n2", NodeOp.Phase.PENDING),
                node("a", "r2", "n3", NodeOp.Phase.PENDING), node("a", "r2", "n4", NodeOp.Phase.PENDING)));
        assertThat(NodeOpPlanner.toStart(nodes, spec(4, 4, 1))).containsExactly(0, 1);
        nodes.set(0, node("a", "r1", "n1", NodeOp.Phase.DONE));
        nodes.set(1, node("a", "r1", "n2", NodeOp.Phase.DRAINING));
        assertThat(NodeOpPlanner.toStart(nodes, spec(4, 4, 1))).as("n2 of r1 still draining").isEmpty();
        nodes.set(0, node("a", "r1", "n1", NodeOp.Phase.DRAINING));
        nodes.set(1, node("a", "r1", "n2", NodeOp.Phase.DONE));
        assertThat(NodeOpPlanner.toStart(nodes, spec(4, 4, 2))).containsExactly(2, 3);
        assertThat(NodeOpPlanner.toStart(nodes, spec(2, 4, 2))).containsExactly(2);
    }

    @Test
    void perClusterAndOverallCaps() {
        List<NodeOp.NodeState> nodes = List.of(node("a", "r1", "n1", NodeOp.Phase.PENDING), node("a", "r1", "n2", NodeOp.Phase.PENDING),
                node("b", "r1", "m1", NodeOp.Phase.PENDING), node("b", "r1", "m2", NodeOp.Phase.PENDING));
        assertThat(NodeOpPlanner.toStart(nodes, spec(10, 1, 10))).containsExactly(0, 2);
        assertThat(NodeOpPlanner.toStart(nodes, spec(3, 2, 10))).containsExactly(0, 1, 2);
        assertThat(NodeOpPlanner.toStart(nodes, spec(10, 10, 1))).as("a/r1 and b/r1 are two racks").containsExactly(0, 1);
    }

    @Test
    void underRandomProgressTheCapsAreNeverExceeded() {
        Random rnd = new Random(7);
        for (int round = 0; round < 500; round++) {
            List<NodeOp.NodeState> nodes = new ArrayList<>();
            int count = 1 + rnd.nextInt(30);
            for (int i = 0; i < count; i++) {
                nodes.add(node("c" + rnd.nextInt(3), "r" + rnd.nextInt(4), "n" + i, NodeOp.Phase.PENDING));
            }
            nodes.sort(java.util.Comparator.comparing(NodeOp.NodeState::cluster).thenComparing(NodeOp.NodeState::rack)
                    .thenComparing(NodeOp.NodeState::node));
            NodeOp.Spec s = spec(1 + rnd.nextInt(5), 1 + rnd.nextInt(3), 1 + rnd.nextInt(2));
            for (int step = 0; step < 200 && nodes.stream().anyMatch(n -> !n.phase().ended()); step++) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (nodes.get(i).phase().active() && rnd.nextInt(3) == 0) {
                        var n = nodes.get(i);
                        nodes.set(i, node(n.cluster(), n.rack(), n.node(), NodeOp.Phase.DONE));
                    }
                }
                for (int i : NodeOpPlanner.toStart(nodes, s)) {
                    var n = nodes.get(i);
                    nodes.set(i, node(n.cluster(), n.rack(), n.node(), NodeOp.Phase.DRAINING));
                }
                List<NodeOp.NodeState> active = nodes.stream().filter(n -> n.phase().active()).toList();
                Set<String> racks = new HashSet<>();
                active.forEach(n -> racks.add(n.cluster() + "/" + n.rack()));
                assertThat(active.size()).isLessThanOrEqualTo(s.concurrency());
                assertThat(racks.size()).isLessThanOrEqualTo(s.racks());
                for (String c : List.of("c0", "c1", "c2")) {
                    assertThat(active.stream().filter(n -> n.cluster().equals(c)).count()).isLessThanOrEqualTo(s.perCluster());
                }
            }
            assertThat(nodes).allMatch(n -> n.phase().ended());
        }
    }
}
