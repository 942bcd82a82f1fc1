package io.noah.release;

import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.registry.ClusterRegistry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One level-triggered step of a release: compares every pool with the target step's replica counts
 * and does the next safe thing. Capacity first: whichever Deployment must grow is scaled up and
 * waited for (Ready, controller caught up) before the other is scaled down, in both directions.
 * Running it twice, or after a crash, is harmless: targets come from the plan and the step index.
 */
public final class ReleaseReconciler {

    /** The next state of the release, what happened, and the history entry to write (null: none). */
    public record Result(Release release, Outcome outcome, String event) {
    }

    private final DeploymentOps ops;
    private final ClusterRegistry registry;
    private final String versionLabel;
    private final String appLabel;

    public ReleaseReconciler(DeploymentOps ops, ClusterRegistry registry, String appLabel, String versionLabel) {
        this.ops = ops;
        this.registry = registry;
        this.appLabel = appLabel;
        this.versionLabel = versionLabel;
    }

    public Result reconcile(Release r, Instant now) {
        return switch (r.state()) {
            case RUNNING, ROLLING_BACK -> apply(r, now);
            case WAITING -> autoGate(r, now);
            default -> new Result(r, new Outcome.Waiting(r.state().name().toLowerCase()), null);
        };
    }

    private Result autoGate(Release r, Instant now) {
        // between batches nothing may move: a replica count other than the one Noah set was changed outside
        // (the cache filters: a waiting release costs no API call unless the cache disagrees)
        for (String pool : r.plan().pools()) {
            var cache = registry.require(pool).cache().deployments();
            Map<String, Integer> last = r.lastSet() == null ? null : r.lastSet().get(pool);
            if (last == null) {
                continue;
            }
            for (String role : List.of("canary", "running")) {
                String name = role.equals("canary") ? r.canaryNames().get(pool) : r.runningNames().get(pool);
                if (name == null) {
                    continue;
                }
                var d = cache.record(r.spec().namespace() + "/" + name);
                int want = role.equals("canary") ? r.plan().canary(r.step(), pool) : r.plan().running(r.step(), pool);
                if (outsideChange(role + " " + name, d == null ? null : d.replicas(), last.get(role), want) == null) {
                    continue;
                }
                // the cache may not have seen Noah's own last scale yet (a just-started instance): confirm live
                String outside = outsideChange(role + " " + name,
                        ops.state(pool, r.spec().namespace(), name).map(DeploymentOps.State::replicas).orElse(null), last.get(role), want);
                if (outside != null) {
                    return stop(r, now, copy(r.lastSet()), outside + " in pool " + pool);
                }
            }
        }
        if (r.spec().gate() == ReleaseSpec.Gate.AUTO && r.stepStartedAt() != null
                && !now.isBefore(r.stepStartedAt().plus(r.spec().autoGateAfter()))) {
            return new Result(r.with(ReleaseState.RUNNING, r.step(), r.step() + 1, now, "automatic gate"),
                    new Outcome.Advanced("automatic gate opened"), "promoted");
        }
        return new Result(r, new Outcome.Waiting("gate"), null);
    }

    private Result apply(Release r, Instant now) {
        Map<String, Map<String, Integer>> lastSet = copy(r.lastSet());
        List<String> waiting = new ArrayList<>();
        List<String> changing = r.plan().poolsChangedBetween(r.step(), r.target());
        for (String pool : r.plan().pools()) {
            if (changing.contains(pool) && registry.require(pool).spec().maintenance()) {
                return stop(r, now, lastSet, "pool " + pool + " is in maintenance");
            }
            PoolStep s = pool(r, pool, lastSet);
            if (s.stop != null) {
                return stop(r, now, lastSet, s.stop);
            }
            if (s.waiting != null) {
                waiting.add(pool + ": " + s.waiting);
            }
        }
        if (!waiting.isEmpty()) {
            Instant deadline = r.stepStartedAt() == null ? null : r.stepStartedAt().plus(r.spec().batchDeadline());
            if (r.state() == ReleaseState.RUNNING && deadline != null && now.isAfter(deadline)) {
                String why = "batch " + r.target() + " did not finish within " + r.spec().batchDeadline() + ": " + String.join("; ", waiting);
                if (r.spec().onDeadline() == ReleaseSpec.OnDeadline.ROLLBACK) {
                    return new Result(r.with(ReleaseState.ROLLING_BACK, r.step(), r.step(), now, why).withLastSet(lastSet),
                            new Outcome.Stopped(why), "deadline-rollback");
                }
                return stop(r, now, lastSet, why);
            }
            return new Result(r.withLastSet(lastSet), new Outcome.Waiting(String.join("; ", waiting)), null);
        }
        // every pool is at the target step
        int t = r.target();
        if (r.state() == ReleaseState.RUNNING) {
            if (t < r.plan().lastStep()) {
                return new Result(r.with(ReleaseState.WAITING, t, t, now, null).withLastSet(lastSet),
                        new Outcome.Advanced("batch " + t + " done"), "batch-done");
            }
            boolean delay = r.spec().deleteOldAfter() != null && !r.spec().deleteOldAfter().isZero();
            if (delay && r.step() != t) {
                // the last batch just finished: start the delay before the old Deployments go
                return new Result(r.with(ReleaseState.RUNNING, t, t, now, "deleting the old Deployments after "
                        + r.spec().deleteOldAfter()).withLastSet(lastSet), new Outcome.Advanced("last batch done"), "batch-done");
            }
            if (delay && now.isBefore(r.stepStartedAt().plus(r.spec().deleteOldAfter()))) {
                return new Result(r.withLastSet(lastSet), new Outcome.Waiting("old Deployments are deleted at "
                        + r.stepStartedAt().plus(r.spec().deleteOldAfter())), null);
            }
            for (String pool : r.plan().pools()) {
                if (r.runningNames().get(pool) != null) {
                    ops.delete(pool, r.spec().namespace(), r.runningNames().get(pool));
                }
            }
            return new Result(r.with(ReleaseState.SUCCEEDED, t, t, now, null).withLastSet(lastSet).finished(ReleaseState.SUCCEEDED, now, null),
                    new Outcome.Advanced("released"), "succeeded");
        }
        // rolling back
        if (t > 0) {
            return new Result(r.with(ReleaseState.ROLLING_BACK, t, t - 1, now, r.reason()).withLastSet(lastSet),
                    new Outcome.Advanced("rolled back to batch " + t), "rolled-back-step");
        }
        for (String pool : r.plan().pools()) {
            ops.delete(pool, r.spec().namespace(), r.canaryNames().get(pool));
        }
        return new Result(r.with(ReleaseState.ROLLED_BACK, 0, 0, now, r.reason()).withLastSet(lastSet)
                .finished(ReleaseState.ROLLED_BACK, now, r.reason()), new Outcome.Advanced("rolled back"), "rolled-back");
    }

    private record PoolStep(String waiting, String stop) {
        static final PoolStep DONE = new PoolStep(null, null);
    }

    private PoolStep pool(Release r, String pool, Map<String, Map<String, Integer>> lastSet) {
        String ns = r.spec().namespace();
        String canaryName = r.canaryNames().get(pool);
        String runningName = r.runningNames().get(pool);
        int wantC = r.plan().canary(r.target(), pool);
        int wantR = r.plan().running(r.target(), pool);
        Map<String, Integer> last = lastSet.computeIfAbsent(pool, k -> new HashMap<>());
        Optional<DeploymentOps.State> canary = ops.state(pool, ns, canaryName);
        boolean newApp = runningName == null;
        Optional<DeploymentOps.State> running = newApp ? Optional.empty() : ops.state(pool, ns, runningName);
        if (newApp) {
            wantR = 0; // nothing runs yet: every replica of the plan is the new Deployment's
        }
        // a replica count that is neither what Noah last set nor this step's target was changed outside Noah
        String outside = outsideChange("canary " + canaryName, canary.map(DeploymentOps.State::replicas).orElse(null),
                last.get("canary"), wantC);
        if (outside == null) {
            outside = outsideChange("running " + runningName, running.map(DeploymentOps.State::replicas).orElse(null),
                    last.get("running"), wantR);
        }
        if (outside != null) {
            return new PoolStep(null, outside + " in pool " + pool);
        }
        if (!newApp && running.isEmpty() && (wantR > 0 || last.get("running") != null && last.get("running") > 0)) {
            return new PoolStep(null, "the running Deployment " + runningName + " disappeared from pool " + pool);
        }
        if (canary.isEmpty() && wantC > 0) {
            // created at 0 replicas, then scaled below in the same round
            var change = new DeploymentOps.Change(r.spec().images(), r.spec().env(), r.spec().resources());
            var annotations = Map.of("noah.io/release", r.id(), "noah.io/role", "canary");
            canary = Optional.of(newApp
                    ? ops.createNew(pool, ns, canaryName, appLabel, r.spec().app(), versionLabel, r.spec().version(), change, annotations)
                    : ops.createCanary(pool, ns, runningName, canaryName, versionLabel, r.spec().version(), change, annotations));
            last.put("canary", 0);
        }
        int curC = canary.map(DeploymentOps.State::replicas).orElse(0);
        int curR = running.map(DeploymentOps.State::replicas).orElse(0);
        if (curC < wantC) {
            last.put("canary", wantC);
            ops.scale(pool, ns, canaryName, wantC);
            return new PoolStep("canary scaled up to " + wantC, null);
        }
        if (curR < wantR) {
            last.put("running", wantR);
            ops.scale(pool, ns, runningName, wantR);
            return new PoolStep("running scaled up to " + wantR, null);
        }
        if (wantC > 0 && !canary.get().readyAt(wantC)) {
            return new PoolStep("canary pods ready " + canary.get().readyReplicas() + "/" + wantC, null);
        }
        if (wantR > 0 && !running.get().readyAt(wantR)) {
            return new PoolStep("running pods ready " + running.get().readyReplicas() + "/" + wantR, null);
        }
        if (curR > wantR) {
            last.put("running", wantR);
            ops.scale(pool, ns, runningName, wantR);
            return new PoolStep("running scaled down to " + wantR, null);
        }
        if (curC > wantC) {
            last.put("canary", wantC);
            ops.scale(pool, ns, canaryName, wantC);
            return new PoolStep("canary scaled down to " + wantC, null);
        }
        if (running.isPresent() && !running.get().scaledDownTo(wantR) || canary.isPresent() && !canary.get().scaledDownTo(wantC)) {
            return new PoolStep("pods terminating", null);
        }
        last.put("canary", wantC);
        last.put("running", wantR);
        return PoolStep.DONE;
    }

    /**
     * A replica count that is neither what Noah last set nor the step's target was changed outside Noah
     * (a crash between scaling and storing leaves the target, which is fine). Null: no outside change.
     */
    private static String outsideChange(String what, Integer actual, Integer lastSet, int want) {
        if (actual == null || lastSet == null) {
            return null;
        }
        if (!actual.equals(lastSet) && actual != want) {
            return "the replicas of " + what + " were changed outside Noah (Noah set " + lastSet + ", found " + actual + ")";
        }
        return null;
    }

    private static Result stop(Release r, Instant now, Map<String, Map<String, Integer>> lastSet, String why) {
        return new Result(r.pausedFrom(r.state(), why).withLastSet(lastSet), new Outcome.Stopped(why), "paused");
    }

    private static Map<String, Map<String, Integer>> copy(Map<String, Map<String, Integer>> m) {
        Map<String, Map<String, Integer>> out = new HashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, new HashMap<>(v)));
        }
        return out;
    }
}
