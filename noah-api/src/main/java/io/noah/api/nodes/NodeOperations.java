package io.noah.api.nodes;

import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.nodeops.NodeDrainer;
import io.noah.cluster.nodeops.NodeOp;
import io.noah.cluster.nodeops.NodeOpExecutor;
import io.noah.cluster.nodeops.NodeOpStore;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Starts, previews (preflight), pauses, resumes and aborts bulk node operations; the executor runs them. */
public final class NodeOperations {

    /** Which nodes: clusters (empty: all), names and/or a label selector on the nodes. */
    public record Selection(List<String> clusters, List<String> nodes, String nodeSelector) {
    }

    /** A preflight: per node what a drain would do; per cluster whether the pods to move fit on the other nodes. */
    public record Preflight(List<NodePlan> nodes, List<NodeDrainer.Capacity> capacity) {
    }

    public record NodePlan(String cluster, String node, String rack, List<NodeDrainer.Verdict> pods) {
    }

    private final NodeOpStore store;
    private final NodeDrainer drainer;
    private final NodeOpExecutor executor;
    private final ClusterRegistry registry;
    private final Clock clock;

    public NodeOperations(NodeOpStore store, NodeDrainer drainer, NodeOpExecutor executor, ClusterRegistry registry, Clock clock) {
        this.store = store;
        this.drainer = drainer;
        this.executor = executor;
        this.registry = registry;
        this.clock = clock;
    }

    /** The nodes selected, in order of cluster, rack, name; 404 for an unknown cluster or node, 400 when none. */
    public List<NodeOp.NodeState> select(Selection s, String rackLabel) {
        List<ClusterHandle> clusters = s.clusters() == null || s.clusters().isEmpty() ? registry.all()
                : s.clusters().stream().map(registry::require).toList();
        LabelSelector selector = s.nodeSelector() == null || s.nodeSelector().isBlank() ? null : LabelSelector.parse(s.nodeSelector());
        Set<String> names = new HashSet<>(s.nodes() == null ? List.of() : s.nodes());
        Set<String> found = new HashSet<>();
        List<NodeOp.NodeState> out = new ArrayList<>();
        for (ClusterHandle h : clusters) {
            for (NodeRecord n : h.cache().nodes().records().values()) {
                boolean named = names.contains(n.name());
                if (named) {
                    found.add(n.name());
                }
                if (named || selector != null && selector.matches(n.labels())) {
                    String rack = n.labels().getOrDefault(rackLabel, "");
                    out.add(new NodeOp.NodeState(h.name(), n.name(), rack, NodeOp.Phase.PENDING, 0, List.of(), null, null, null));
                }
            }
        }
        names.removeAll(found);
        if (!names.isEmpty()) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "no selected cluster has node(s) " + new java.util.TreeSet<>(names));
        }
        if (out.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.EMPTY_SELECTION, "nodes", "no node is named or selected");
        }
        out.sort(Comparator.comparing(NodeOp.NodeState::cluster).thenComparing(NodeOp.NodeState::rack).thenComparing(NodeOp.NodeState::node));
        return out;
    }

    public Preflight preflight(List<NodeOp.NodeState> nodes, NodeOp.Spec spec) {
        List<NodePlan> plans = new ArrayList<>();
        Map<String, List<NodeDrainer.Verdict>> moving = new LinkedHashMap<>();
        Map<String, Set<String>> draining = new LinkedHashMap<>();
        for (NodeOp.NodeState n : nodes) {
            List<NodeDrainer.Verdict> v = spec.action() == NodeOp.Action.DRAIN
                    ? drainer.classify(n.cluster(), n.node(), spec.force(), spec.deleteLocalData()) : List.of();
            plans.add(new NodePlan(n.cluster(), n.node(), n.rack(), v));
            draining.computeIfAbsent(n.cluster(), c -> new HashSet<>()).add(n.node());
            moving.computeIfAbsent(n.cluster(), c -> new ArrayList<>())
                    .addAll(v.stream().filter(x -> x.kind() == NodeDrainer.Kind.EVICT).toList());
        }
        List<NodeDrainer.Capacity> capacity = new ArrayList<>();
        if (spec.action() == NodeOp.Action.DRAIN) {
            moving.forEach((c, pods) -> capacity.add(drainer.capacity(c, draining.get(c), pods)));
        }
        return new Preflight(plans, capacity);
    }

    /** Stores a new operation and starts it; 409 when a node is in another operation still running or paused. */
    public NodeOp start(List<NodeOp.NodeState> nodes, NodeOp.Spec spec, String actor) {
        Set<String> mine = new HashSet<>();
        nodes.forEach(n -> mine.add(n.cluster() + "/" + n.node()));
        for (NodeOp other : store.list(1000)) {
            if (!other.state().ended()) {
                for (NodeOp.NodeState n : other.nodes()) {
                    if (mine.contains(n.cluster() + "/" + n.node())) {
                        throw new NoahException(NoahException.Reason.CONFLICT, "node " + n.node() + " of " + n.cluster()
                                + " is in operation " + other.id() + " (" + other.state().name().toLowerCase() + ")");
                    }
                }
            }
        }
        Instant now = clock.instant();
        NodeOp op = new NodeOp(UUID.randomUUID().toString(), spec, NodeOp.State.RUNNING, nodes, actor, now, now, null, null, 0);
        store.insert(op);
        executor.wake();
        return op;
    }

    public NodeOp require(String id) {
        return store.find(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no node operation " + id));
    }

    public List<NodeOp> list(int limit) {
        return store.list(limit);
    }

    /** pause (RUNNING → PAUSED), resume (PAUSED → RUNNING), abort (not ended → ABORTED): compare-and-set, 409 otherwise. */
    public NodeOp act(String id, String action, String actor, String reason) {
        for (int attempt = 0; attempt < 5; attempt++) {
            NodeOp op = require(id);
            NodeOp.State to = switch (action) {
                case "pause" -> op.state() == NodeOp.State.RUNNING ? NodeOp.State.PAUSED : null;
                case "resume" -> op.state() == NodeOp.State.PAUSED ? NodeOp.State.RUNNING : null;
                case "abort" -> op.state().ended() ? null : NodeOp.State.ABORTED;
                default -> throw new IllegalArgumentException(action);
            };
            if (to == null) {
                throw new NoahException(NoahException.Reason.CONFLICT, "cannot " + action + " an operation that is " + op.state().name().toLowerCase());
            }
            NodeOp next = op.withState(to, action + " by " + actor + (reason == null || reason.isBlank() ? "" : ": " + reason), clock.instant());
            if (store.update(next, null)) {
                executor.wake();
                return require(id);
            }
        }
        throw new NoahException(NoahException.Reason.CONFLICT, "the operation kept changing; try again");
    }
}
