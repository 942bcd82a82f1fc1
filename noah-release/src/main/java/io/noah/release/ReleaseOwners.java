package io.noah.release;

import io.noah.cluster.ops.ReplicaOwners;

import java.util.HashMap;
import java.util.Map;

/**
 * Releases' side of {@link ReplicaOwners}: an app is owned by its active release from the start to the end (paused
 * included: a paused release resumes from the counts it set, and an autoscaler's write in between would make it stop
 * as "changed outside Noah").
 */
public final class ReleaseOwners implements ReplicaOwners {

    private final ReleaseStore store;

    public ReleaseOwners(ReleaseStore store) {
        this.store = store;
    }

    @Override
    public Map<String, String> owners() {
        Map<String, String> out = new HashMap<>();
        for (Release r : store.active()) {
            String who = "release " + r.id() + " (" + r.state().name().toLowerCase() + ", batch " + r.step() + " of " + r.plan().lastStep() + ")";
            for (String pool : r.plan().pools()) {
                out.put(ReplicaOwners.key(pool, r.spec().namespace(), r.spec().app()), who);
            }
        }
        return out;
    }
}
