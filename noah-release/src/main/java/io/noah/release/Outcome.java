package io.noah.release;

/** What one reconcile step did: a named result, not a boolean. */
public sealed interface Outcome {

    /** The release moved (a batch finished, or it ended); reconcile again soon. */
    record Advanced(String what) implements Outcome {
    }

    /** Nothing to do until Kubernetes catches up or a person acts. */
    record Waiting(String why) implements Outcome {
    }

    /** The release stopped (paused or rolling back) for a reason. */
    record Stopped(String why) implements Outcome {
    }
}
