package io.noah.release;

import io.noah.cluster.ops.ReplicaOwners;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Releases' side of {@link ReplicaOwners}: an app is owned by its active release in each pool of its plan, from the
 * start to the end. A running release, or one waiting at a gate, takes totals: the request is stored beside the release
 * and its executor (the only writer of the release) applies it at its next step in the plan's shares
 * ({@link Release#resized}), scaling up before down, never lowering the canary count of the batch reached and never
 * pausing for it. A paused release (someone must look at it) or one rolling back freezes the app's counts instead.
 */
public final class ReleaseOwners implements ReplicaOwners {

    private final ReleaseStore store;

    public ReleaseOwners(ReleaseStore store) {
        this.store = store;
    }

    static boolean takesTotals(Release r) {
        return r.state() == ReleaseState.RUNNING || r.state() == ReleaseState.WAITING;
    }

    @Override
    public Map<String, Owner> owners() {
        Map<String, Owner> out = new HashMap<>();
        var requests = store.totalRequests();
        for (Release r : store.active()) {
            String who = "release " + r.id() + " (" + r.state().name().toLowerCase() + ", batch " + r.step() + " of " + r.plan().lastStep() + ")";
            var asked = requests.getOrDefault(r.id(), Map.of());
            for (String pool : r.plan().pools()) {
                var q = asked.get(pool);
                out.put(ReplicaOwners.key(pool, r.spec().namespace(), r.spec().app()),
                        new Owner(who, takesTotals(r), q == null ? null : q.total(), q == null ? null : q.lastUp(),
                                q == null ? null : q.lastDown()));
            }
        }
        return out;
    }

    @Override
    public Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why, Instant at) {
        for (Release r : store.active()) {
            if (!r.spec().app().equals(app) || !r.spec().namespace().equals(namespace) || !r.plan().pools().contains(pool)) {
                continue;
            }
            if (!takesTotals(r)) {
                return new Answer(false, "release " + r.id() + " is " + r.state().name().toLowerCase() + " and owns the replica counts until it ends");
            }
            store.requestTotal(r.id(), pool, total, up, actor, why, at);
            Plan p = r.resized(Map.of(pool, total)).plan();
            return new Answer(true, "release " + r.id() + " brings pool " + pool + " to " + p.totals().get(pool) + " (canary "
                    + p.canary(r.step(), pool) + ", running " + (r.runningNames().get(pool) == null ? 0 : p.running(r.step(), pool))
                    + " at batch " + r.step() + ", its plan's shares kept)");
        }
        return new Answer(false, "no active release of app " + app + " in pool " + pool);
    }
}
