package io.noah.cluster.nodeops;

import io.noah.cluster.health.Loops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs node operations: every tick, the operations this instance holds by lease (claimed when free or expired, so a
 * restarted or another instance continues where the stored progress says) advance one step: nodes in progress are
 * cordoned and drained (each evictable pod asked once per tick; a 429 is retried the next tick until the operation's
 * timeout), new nodes start under the caps ({@link NodeOpPlanner}). Each step is stored compare-and-set; a step
 * whose store fails is done again by whoever holds the operation next (cordon and eviction are idempotent).
 */
public final class NodeOpExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeOpExecutor.class);

    private final NodeOpStore store;
    private final NodeDrainer drainer;
    private final Clock clock;
    private final String instance;
    private final Duration lease;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-node-ops").daemon().factory());
    private final Runnable guarded;

    public NodeOpExecutor(NodeOpStore store, NodeDrainer drainer, Clock clock, String instance, Duration lease, Duration tick, Loops loops) {
        this.store = store;
        this.drainer = drainer;
        this.clock = clock;
        this.instance = instance;
        this.lease = lease;
        this.guarded = loops.guard("node-operations", this::tick);
        timer.scheduleWithFixedDelay(guarded, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs a tick now (after a start, pause, resume or abort). */
    public void wake() {
        timer.execute(guarded);
    }

    void tick() {
        RuntimeException first = null;
        for (NodeOp op : store.claim(instance, lease)) {
            if (op.state() != NodeOp.State.RUNNING) {
                continue;
            }
            try {
                NodeOp next = step(op);
                if (!store.update(next, instance)) {
                    log.info("node operation {} changed under this step (a pause, an abort, another holder): done again next tick", op.id());
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    NodeOp step(NodeOp op) {
        Instant now = clock.instant();
        if (op.spec().timeout() != null && now.isAfter(op.createdAt().plus(op.spec().timeout()))) {
            return op.withState(NodeOp.State.TIMED_OUT, "the operation's timeout (" + op.spec().timeout().toSeconds()
                    + " s) passed; nodes in progress stay cordoned", now);
        }
        List<NodeOp.NodeState> nodes = new ArrayList<>(op.nodes());
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).phase().active()) {
                nodes.set(i, advance(op.spec(), nodes.get(i), now));
            }
        }
        for (int i : NodeOpPlanner.toStart(nodes, op.spec())) {
            nodes.set(i, start(op.spec(), nodes.get(i), now));
        }
        NodeOp next = op.withNodes(nodes, now);
        if (nodes.stream().allMatch(n -> n.phase().ended())) {
            long bad = nodes.stream().filter(n -> n.phase() != NodeOp.Phase.DONE).count();
            next = bad == 0 ? next.withState(NodeOp.State.SUCCEEDED, "every node done", now)
                    : next.withState(NodeOp.State.FAILED, bad + " node(s) blocked or failed: see each node's blockers", now);
        }
        return next;
    }

    private NodeOp.NodeState start(NodeOp.Spec spec, NodeOp.NodeState n, Instant now) {
        try {
            return switch (spec.action()) {
                case CORDON -> {
                    drainer.schedulable(n.cluster(), n.node(), false);
                    yield n.with(NodeOp.Phase.DONE, 0, List.of(), now, now, null);
                }
                case UNCORDON -> {
                    drainer.schedulable(n.cluster(), n.node(), true);
                    yield n.with(NodeOp.Phase.DONE, 0, List.of(), now, now, null);
                }
                case DRAIN -> {
                    drainer.schedulable(n.cluster(), n.node(), false);
                    log.info("draining node {} of {}", n.node(), n.cluster());
                    yield n.with(NodeOp.Phase.DRAINING, 0, List.of(), now, null, null);
                }
            };
        } catch (RuntimeException e) {
            return n.with(NodeOp.Phase.FAILED, 0, List.of(), now, now, e.getMessage());
        }
    }

    private NodeOp.NodeState advance(NodeOp.Spec spec, NodeOp.NodeState n, Instant now) {
        try {
            List<NodeDrainer.Verdict> verdicts = drainer.classify(n.cluster(), n.node(), spec.force(), spec.deleteLocalData());
            int evicted = n.evicted();
            boolean waiting = false;
            List<NodeOp.Blocker> blocked = new ArrayList<>();
            for (NodeDrainer.Verdict v : verdicts) {
                switch (v.kind()) {
                    case SKIP -> { }
                    case TERMINATING -> waiting = true;
                    case BLOCK -> blocked.add(new NodeOp.Blocker(v.namespace(), v.pod(), v.reason(), null, null, null, null, true));
                    case EVICT -> {
                        switch (drainer.evict(n.cluster(), v.namespace(), v.pod())) {
                            case OK -> {
                                evicted++;
                                waiting = true;
                            }
                            case GONE -> { }
                            case BUDGET -> {
                                waiting = true;
                                blocked.add(new NodeOp.Blocker(v.namespace(), v.pod(), "the PodDisruptionBudget allows no disruption now",
                                        v.pdb(), v.disruptionsAllowed(), v.currentHealthy(), v.desiredHealthy(), false));
                            }
                            case REFUSED -> {
                                waiting = true;
                                blocked.add(new NodeOp.Blocker(v.namespace(), v.pod(), "the eviction was refused", v.pdb(), null, null, null, false));
                            }
                        }
                    }
                }
            }
            if (waiting) {
                return n.with(NodeOp.Phase.DRAINING, evicted, blocked, n.startedAt(), null, null);
            }
            if (!blocked.isEmpty()) {
                log.info("node {} of {}: drain blocked by {} pod(s)", n.node(), n.cluster(), blocked.size());
                return n.with(NodeOp.Phase.BLOCKED, evicted, blocked, n.startedAt(), now, null);
            }
            if (spec.uncordonAfter()) {
                drainer.schedulable(n.cluster(), n.node(), true);
            }
            log.info("node {} of {} drained ({} pods evicted)", n.node(), n.cluster(), evicted);
            return n.with(NodeOp.Phase.DONE, evicted, List.of(), n.startedAt(), now, null);
        } catch (RuntimeException e) {
            // a failing API server: the node stays in progress and is tried again next tick
            return n.with(NodeOp.Phase.DRAINING, n.evicted(), n.blocked(), n.startedAt(), null, e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
