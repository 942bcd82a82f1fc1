package io.noah.release;

/**
 * What one reconcile step did, and so when the executor reconciles the release again: {@link Advanced} at once,
 * {@link Waiting} on the next tick or change of a Deployment, and at {@code until} when a clock decides (an
 * automatic gate opening, a batch deadline, the deletion of the old Deployments), {@link Stopped} when a person acts.
 */
public sealed interface Outcome {

    /** The release moved (a batch finished, or it ended); reconcile again now. */
    record Advanced(String what) implements Outcome {
    }

    /** Nothing to do until Kubernetes catches up, a person acts or {@code until} (null: no time decides) comes. */
    record Waiting(String why, java.time.Instant until) implements Outcome {
        public Waiting(String why) {
            this(why, null);
        }
    }

    /** The release stopped (paused or rolling back) for a reason. */
    record Stopped(String why) implements Outcome {
    }
}
