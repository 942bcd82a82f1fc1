package io.noah.cluster.nodeops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A bulk node operation as stored: what was asked, its state, and each node's progress. Immutable; every change is a
 * new value stored compare-and-set on {@code version} by the instance holding the operation's lease.
 */
public record NodeOp(String id, Spec spec, State state, List<NodeState> nodes, String createdBy, Instant createdAt,
                     Instant updatedAt, Instant finishedAt, String message, long version) {

    public enum Action { CORDON, UNCORDON, DRAIN }

    public enum State {
        RUNNING, PAUSED, ABORTED, SUCCEEDED, FAILED, TIMED_OUT;

        public boolean ended() {
            return this == ABORTED || this == SUCCEEDED || this == FAILED || this == TIMED_OUT;
        }
    }

    /** PENDING → (CORDONED for cordon) / DRAINING → DONE, or BLOCKED (pods that cannot be evicted) / FAILED. */
    public enum Phase {
        PENDING, DRAINING, DONE, BLOCKED, FAILED;

        public boolean active() {
            return this == DRAINING;
        }

        public boolean ended() {
            return this == DONE || this == BLOCKED || this == FAILED;
        }
    }

    /**
     * {@code concurrency}: nodes at once overall; {@code perCluster}: at once in one cluster; {@code racks}: racks with a
     * node in progress at once; {@code force}: evict pods no controller manages; {@code deleteLocalData}: evict pods with
     * emptyDir volumes; {@code uncordonAfter}: a drained node is made schedulable again; {@code rackLabel}: the node label
     * the racks were read from (stored operations carry it and the document is read strictly, so it stays).
     */
    public record Spec(Action action, boolean uncordonAfter, int concurrency, int perCluster, int racks, boolean force,
                       boolean deleteLocalData, Duration timeout, String rackLabel, String reason) {
    }

    /** Why a pod is not evicted (yet): {@code pdb} and its figures when a budget refused it. */
    public record Blocker(String namespace, String pod, String reason, String pdb, Integer disruptionsAllowed, Integer currentHealthy,
                          Integer desiredHealthy, boolean permanent) {
    }

    public record NodeState(String cluster, String node, String rack, Phase phase, int evicted, List<Blocker> blocked,
                            Instant startedAt, Instant finishedAt, String error) {

        NodeState with(Phase p, int evicted, List<Blocker> blocked, Instant startedAt, Instant finishedAt, String error) {
            return new NodeState(cluster, node, rack, p, evicted, blocked, startedAt, finishedAt, error);
        }
    }

    public NodeOp withNodes(List<NodeState> n, Instant now) {
        return new NodeOp(id, spec, state, n, createdBy, createdAt, now, finishedAt, message, version);
    }

    public NodeOp withState(State s, String why, Instant now) {
        return new NodeOp(id, spec, s, nodes, createdBy, createdAt, now, s.ended() ? now : finishedAt, why, version);
    }

    public NodeOp withVersion(long v) {
        return new NodeOp(id, spec, state, nodes, createdBy, createdAt, updatedAt, finishedAt, message, v);
    }
}
