package io.noah.release;

import java.util.EnumSet;
import java.util.Set;

/** Where a release is. The executor works on the active ones. */
public enum ReleaseState {
    /** applying the target step (forward) */
    RUNNING,
    /** a batch is done; waiting for promote (or the automatic gate) */
    WAITING,
    /** stopped by a person, the deadline or an outside change; resume continues */
    PAUSED,
    /** applying target steps backwards down to step 0 */
    ROLLING_BACK,
    SUCCEEDED, ROLLED_BACK, ABORTED;

    public static final Set<ReleaseState> ACTIVE = EnumSet.of(RUNNING, WAITING, PAUSED, ROLLING_BACK);

    public boolean terminal() {
        return !ACTIVE.contains(this);
    }
}
