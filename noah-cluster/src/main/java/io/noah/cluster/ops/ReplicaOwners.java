package io.noah.cluster.ops;

import java.time.Instant;
import java.util.Map;

/**
 * The contract between features that set an app's replica counts (releases, the autoscaler), so that they never undo
 * each other without importing each other. A feature that owns an app's counts in a pool for a while (a canary release,
 * from its start to its end, over the running and the canary Deployment) says so here, and the autoscaler reads it
 * before it writes:
 * <ul>
 *   <li>an owner that {@linkplain Owner#takesTotals() takes totals} is asked for the app's new total in the pool
 *   ({@link #requestTotal}) and applies it itself, with its own writes, keeping its own shares (a release keeps its
 *   plan's canary share, never lowers the canary count of the batch it reached, and never pauses for it);</li>
 *   <li>an owner that does not (a paused release, one rolling back) freezes the app: the autoscaler keeps deciding and
 *   recording, writes nothing, and acts again from the counts the owner left.</li>
 * </ul>
 * The owner never waits for the autoscaler, and the autoscaler never writes a Deployment an owner holds.
 */
public interface ReplicaOwners {

    /**
     * Who owns an app's counts in a pool. {@code asked}: the total last requested through this owner (what it drives the
     * pool to; null if none), {@code lastUp}/{@code lastDown}: when a total was last requested upwards or downwards (the
     * autoscaler's cooldowns survive a change of evaluating instance), null if never.
     */
    record Owner(String who, boolean takesTotals, Integer asked, Instant lastUp, Instant lastDown) {
        public static Owner frozen(String who) {
            return new Owner(who, false, null, null, null);
        }
    }

    /** What an owner answers to a total: whether it takes it, and what it will do (or why not). */
    record Answer(boolean taken, String what) {
    }

    /** The apps with an owner now, per pool: {@link #key} → owner. */
    Map<String, Owner> owners();

    /**
     * Asks the owner of the app's counts in the pool to bring the app's total there (all its Deployments together) to
     * {@code total}, because of {@code why}; {@code up}: the total grows. Idempotent: asking twice for the same total
     * does not scale twice.
     */
    Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why, Instant at);

    /** No feature owns any app (the autoscaler alone). */
    ReplicaOwners NONE = new ReplicaOwners() {
        @Override
        public Map<String, Owner> owners() {
            return Map.of();
        }

        @Override
        public Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why, Instant at) {
            return new Answer(false, "no owner");
        }
    };

    static String key(String pool, String namespace, String app) {
        return pool + "/" + namespace + "/" + app;
    }
}
