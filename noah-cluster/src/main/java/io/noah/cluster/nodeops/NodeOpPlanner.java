package io.noah.cluster.nodeops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: which pending nodes start now, under the caps: at most {@code concurrency} nodes in progress overall,
 * {@code perCluster} in one cluster, and nodes of at most {@code racks} racks (per cluster and rack) in progress at
 * once. Nodes are taken in their stored order (cluster, rack, name), so a rack is finished before the next starts.
 */
public final class NodeOpPlanner {

    private NodeOpPlanner() {
    }

    public static List<Integer> toStart(List<NodeOp.NodeState> nodes, NodeOp.Spec spec) {
        int active = 0;
        Map<String, Integer> perCluster = new HashMap<>();
        Set<String> racks = new HashSet<>();
        for (NodeOp.NodeState n : nodes) {
            if (n.phase().active()) {
                active++;
                perCluster.merge(n.cluster(), 1, Integer::sum);
                racks.add(n.cluster() + "/" + n.rack());
            }
        }
        List<Integer> start = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeOp.NodeState n = nodes.get(i);
            if (n.phase() != NodeOp.Phase.PENDING || active >= spec.concurrency()) {
                continue;
            }
            String rack = n.cluster() + "/" + n.rack();
            if (perCluster.getOrDefault(n.cluster(), 0) >= spec.perCluster() || !racks.contains(rack) && racks.size() >= spec.racks()) {
                continue;
            }
            start.add(i);
            active++;
            perCluster.merge(n.cluster(), 1, Integer::sum);
            racks.add(rack);
        }
        return start;
    }
}
