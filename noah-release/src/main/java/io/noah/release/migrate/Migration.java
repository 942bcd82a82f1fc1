package io.noah.release.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A disaster-recovery migration as stored: what was asked, its state, each move (one source Deployment of an app in
 * the source IDC to a target cluster of the other) and its history. Immutable; every change is a new value stored
 * compare-and-set on {@code version} by the instance holding the migration's lease.
 */
public record Migration(String id, Spec spec, State state, List<Move> moves, List<Step> history, String createdBy, Instant createdAt,
                        Instant updatedAt, Instant finishedAt, String message, String reverseOf, long version) {

    public static final int MAX_HISTORY = 1000;

    public enum State {
        /** Moving, batch by batch. */
        RUNNING,
        /** Stopped by a caller or a batch deadline; resume goes on, rollback goes back. */
        PAUSED,
        /** Going back to where it started, batch by batch. */
        ROLLING_BACK,
        /** Every pod is in the target; a source that did not answer still has replicas to scale down when it returns. */
        RECONCILING,
        SUCCEEDED, ROLLED_BACK, ABORTED, FAILED;

        public boolean ended() {
            return this == SUCCEEDED || this == ROLLED_BACK || this == ABORTED || this == FAILED;
        }
    }

    public enum OnDeadline { PAUSE, ROLLBACK }

    /** An app: its app label in a namespace. */
    public record AppRef(String namespace, String app) {
        public String key() {
            return namespace + "/" + app;
        }
    }

    /**
     * {@code apps}: the apps to move (in this order of priority), or {@code allApps}: every app with a Deployment in the
     * source IDC, ordered by {@code priority} (apps named first, in that order), then by the number in their Deployment's
     * {@code priorityLabel} (higher first), then by name. {@code toClusters}: target clusters in {@code toIdc} (all of
     * them when empty). {@code batchSize}: pods per batch per Deployment (null: a quarter of its replicas, at least 1).
     * {@code concurrency}: apps moving at once. {@code force}: start although the fit check says some pods do not fit.
     */
    public record Spec(List<AppRef> apps, boolean allApps, String fromIdc, String toIdc, List<String> toClusters, Integer batchSize,
                       Duration batchDeadline, OnDeadline onDeadline, int concurrency, List<String> priority, String priorityLabel,
                       boolean force, String reason) {
    }

    public enum Phase {
        PENDING,
        /** The target is scaled to the batch's count and must become Ready. */
        UP,
        /** The source is scaled down by the batch once the target is Ready. */
        DOWN,
        DONE,
        /** Rolling back a batch: the source is scaled up again and must become Ready. */
        BACK_UP,
        /** Rolling back a batch: the target is scaled down once the source is Ready. */
        BACK_DOWN,
        ROLLED_BACK;

        public boolean active() {
            return this == UP || this == DOWN || this == BACK_UP || this == BACK_DOWN;
        }
    }

    /**
     * One Deployment of an app moving from {@code source} to {@code target}: {@code total} replicas it had in the source
     * at the start, {@code targetBase} the target Deployment's replicas then (0 when Noah creates it), {@code moved} the
     * pods whose batch is committed (target Ready and source scaled down, or the source not answering). {@code reconcile}:
     * the source did not answer when it should have been scaled down; it is scaled to {@code total - moved} when it returns.
     * {@code template}: the source Deployment (JSON) to create the target from, when the target has none.
     */
    public record Move(String namespace, String app, int order, String deployment, String source, String target, int total,
                       int targetBase, int batchSize, int moved, Phase phase, int batch, Instant batchStartedAt, boolean reconcile,
                       String template, String error) {

        public int targetWanted() {
            return switch (phase) {
                case UP, DOWN -> targetBase + Math.min(total, moved + batchSize);
                case BACK_UP, BACK_DOWN -> targetBase + Math.max(0, moved - batchSize);
                default -> targetBase + moved;
            };
        }

        Move with(Phase p, int moved, int batch, Instant batchStartedAt, boolean reconcile, String error) {
            return new Move(namespace, app, order, deployment, source, target, total, targetBase, batchSize, moved, p, batch, batchStartedAt,
                    reconcile, template, error);
        }

        public String appKey() {
            return namespace + "/" + app;
        }
    }

    /** One recorded step: when, who (a caller or Noah), what, and the counts it left. */
    public record Step(Instant at, String actor, String what, String app, String source, Integer sourceReplicas, String target,
                       Integer targetReplicas) {
    }

    public Migration withMoves(List<Move> m, Instant now) {
        return new Migration(id, spec, state, m, history, createdBy, createdAt, now, finishedAt, message, reverseOf, version);
    }

    public Migration withState(State s, String why, Instant now) {
        return new Migration(id, spec, s, moves, history, createdBy, createdAt, now, s.ended() ? now : finishedAt, why, reverseOf, version);
    }

    public Migration withVersion(long v) {
        return new Migration(id, spec, state, moves, history, createdBy, createdAt, updatedAt, finishedAt, message, reverseOf, v);
    }

    public Migration recorded(List<Step> steps) {
        if (steps.isEmpty()) {
            return this;
        }
        List<Step> h = new ArrayList<>(history);
        h.addAll(steps);
        if (h.size() > MAX_HISTORY) {
            h = new ArrayList<>(h.subList(h.size() - MAX_HISTORY, h.size()));
        }
        return new Migration(id, spec, state, moves, List.copyOf(h), createdBy, createdAt, updatedAt, finishedAt, message, reverseOf, version);
    }
}
