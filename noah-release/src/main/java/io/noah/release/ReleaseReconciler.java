package io.noah.release;

import io.noah.cluster.cache.TemplatePrint;
import io.noah.cluster.ops.DeploymentOps;

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

    private static final String CANARY = "canary";
    private static final String RUNNING = "running";
    private static final List<String> ROLES = List.of(CANARY, RUNNING);

    private final DeploymentGateway ops;
    private final PoolView pools;
    private final String versionLabel;
    private final String appLabel;

    public ReleaseReconciler(DeploymentGateway ops, PoolView pools, String appLabel, String versionLabel) {
        this.ops = ops;
        this.pools = pools;
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
        // between batches nothing may move: a replica count other than the one Noah set, a pod template changed by
        // hand or a Deployment deleted means someone acted outside Noah (the cache filters: a waiting release costs
        // no API call unless the cache disagrees)
        for (String pool : r.plan().pools()) {
            Map<String, Integer> last = r.lastSet().get(pool);
            Map<String, TemplatePrint> prints = r.prints().get(pool);
            for (String role : ROLES) {
                String name = name(r, pool, role);
                if (name == null) {
                    continue;
                }
                Integer lastSet = last == null ? null : last.get(role);
                TemplatePrint known = prints == null ? null : prints.get(role);
                var d = pools.cached(pool, r.spec().namespace(), name).orElse(null);
                int want = role.equals(CANARY) ? r.plan().canary(r.step(), pool) : r.plan().running(r.step(), pool);
                boolean suspicious = d == null ? known != null
                        : outsideReplicas(role, name, d.replicas(), lastSet, want) != null
                        || known != null && !known.hash().equals(d.templateHash());
                if (!suspicious) {
                    continue;
                }
                // the cache may lag (a just-started instance, Noah's own last scale): confirm live
                String outside = outsideChange(role, name, ops.state(pool, r.spec().namespace(), name), lastSet, want, known);
                if (outside != null) {
                    return stop(r, now, copy(r.lastSet()), r.prints(), outside + " in pool " + pool);
                }
            }
        }
        if (resizing(r)) {
            // an autoscaler changed a pool's total while the batch is under check: the step reached is applied again with
            // the new counts (capacity first), then the release waits at its gate as before
            Map<String, Map<String, Integer>> lastSet = copy(r.lastSet());
            Map<String, Map<String, TemplatePrint>> prints = copy(r.prints());
            List<String> waiting = new ArrayList<>();
            for (String pool : r.plan().pools()) {
                PoolStep s = pool(r, pool, lastSet, prints.computeIfAbsent(pool, k -> new HashMap<>()));
                if (s.stop != null) {
                    return stop(r, now, lastSet, prints, s.stop);
                }
                if (s.waiting != null) {
                    waiting.add(pool + ": " + s.waiting);
                }
            }
            r = r.withLastSet(lastSet).withPrints(prints);
            if (!waiting.isEmpty()) {
                return new Result(r, new Outcome.Waiting("resizing: " + String.join("; ", waiting)), null);
            }
        }
        Instant opens = r.spec().gate() == ReleaseSpec.Gate.AUTO && r.stepStartedAt() != null
                ? r.stepStartedAt().plus(r.spec().autoGateAfter()) : null;
        if (opens != null && !now.isBefore(opens)) {
            return new Result(r.with(ReleaseState.RUNNING, r.step(), r.step() + 1, now, "automatic gate"),
                    new Outcome.Advanced("automatic gate opened"), "promoted");
        }
        return new Result(r, new Outcome.Waiting("gate", opens), null);
    }

    private Result apply(Release r, Instant now) {
        Map<String, Map<String, Integer>> lastSet = copy(r.lastSet());
        Map<String, Map<String, TemplatePrint>> prints = copy(r.prints());
        List<String> waiting = new ArrayList<>();
        List<String> changing = r.plan().poolsChangedBetween(r.step(), r.target());
        for (String pool : r.plan().pools()) {
            if (changing.contains(pool) && pools.maintenance(pool)) {
                return stop(r, now, lastSet, prints, "pool " + pool + " is in maintenance");
            }
            PoolStep s = pool(r, pool, lastSet, prints.computeIfAbsent(pool, k -> new HashMap<>()));
            if (s.stop != null) {
                return stop(r, now, lastSet, prints, s.stop);
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
                    return new Result(r.with(ReleaseState.ROLLING_BACK, r.step(), r.step(), now, why).withLastSet(lastSet).withPrints(prints),
                            new Outcome.Stopped(why), "deadline-rollback");
                }
                return stop(r, now, lastSet, prints, why);
            }
            return new Result(r.withLastSet(lastSet).withPrints(prints),
                    new Outcome.Waiting(String.join("; ", waiting), r.state() == ReleaseState.RUNNING ? deadline : null), null);
        }
        // every pool is at the target step
        int t = r.target();
        if (r.state() == ReleaseState.RUNNING) {
            if (t < r.plan().lastStep()) {
                return new Result(r.with(ReleaseState.WAITING, t, t, now, null).withLastSet(lastSet).withPrints(prints),
                        new Outcome.Advanced("batch " + t + " done"), "batch-done");
            }
            boolean delay = r.spec().deleteOldAfter() != null && !r.spec().deleteOldAfter().isZero();
            if (delay && r.step() != t) {
                // the last batch just finished: start the delay before the old Deployments go
                return new Result(r.with(ReleaseState.RUNNING, t, t, now, "deleting the old Deployments after "
                        + r.spec().deleteOldAfter()).withLastSet(lastSet).withPrints(prints), new Outcome.Advanced("last batch done"), "batch-done");
            }
            if (delay && now.isBefore(r.stepStartedAt().plus(r.spec().deleteOldAfter()))) {
                Instant deleteAt = r.stepStartedAt().plus(r.spec().deleteOldAfter());
                return new Result(r.withLastSet(lastSet).withPrints(prints), new Outcome.Waiting("old Deployments are deleted at "
                        + deleteAt, deleteAt), null);
            }
            for (String pool : r.plan().pools()) {
                if (r.runningNames().get(pool) != null) {
                    ops.delete(pool, r.spec().namespace(), r.runningNames().get(pool));
                }
            }
            return new Result(r.with(ReleaseState.SUCCEEDED, t, t, now, null).withLastSet(lastSet).withPrints(prints).finished(ReleaseState.SUCCEEDED, now, null),
                    new Outcome.Advanced("released"), "succeeded");
        }
        // rolling back
        if (t > 0) {
            return new Result(r.with(ReleaseState.ROLLING_BACK, t, t - 1, now, r.reason()).withLastSet(lastSet).withPrints(prints),
                    new Outcome.Advanced("rolled back to batch " + t), "rolled-back-step");
        }
        for (String pool : r.plan().pools()) {
            ops.delete(pool, r.spec().namespace(), r.canaryNames().get(pool));
        }
        return new Result(r.with(ReleaseState.ROLLED_BACK, 0, 0, now, r.reason()).withLastSet(lastSet).withPrints(prints)
                .finished(ReleaseState.ROLLED_BACK, now, r.reason()), new Outcome.Advanced("rolled back"), "rolled-back");
    }

    /** Whether a pool's counts last set differ from the targets of the step reached (its plan was resized since). */
    private static boolean resizing(Release r) {
        for (String pool : r.plan().pools()) {
            Map<String, Integer> last = r.lastSet().get(pool);
            int wantR = r.runningNames().get(pool) == null ? 0 : r.plan().running(r.step(), pool);
            if (last == null || !Integer.valueOf(r.plan().canary(r.step(), pool)).equals(last.get(CANARY))
                    || !Integer.valueOf(wantR).equals(last.get(RUNNING))) {
                return true;
            }
        }
        return false;
    }

    private record PoolStep(String waiting, String stop) {
        static final PoolStep DONE = new PoolStep(null, null);
    }

    private PoolStep pool(Release r, String pool, Map<String, Map<String, Integer>> lastSet, Map<String, TemplatePrint> prints) {
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
        // replicas neither Noah's last nor this step's target, a template changed by hand, a Deployment Noah knew gone
        String outside = outsideChange(CANARY, canaryName, canary, last.get(CANARY), wantC, prints.get(CANARY));
        if (outside == null && !newApp) {
            outside = outsideChange(RUNNING, runningName, running, last.get(RUNNING), wantR, prints.get(RUNNING));
        }
        if (outside != null) {
            return new PoolStep(null, outside + " in pool " + pool);
        }
        if (!newApp && running.isEmpty() && wantR > 0) {
            return new PoolStep(null, "the running Deployment " + runningName + " disappeared from pool " + pool);
        }
        canary.ifPresent(c -> prints.putIfAbsent(CANARY, c.template()));
        running.ifPresent(c -> prints.putIfAbsent(RUNNING, c.template()));
        if (canary.isEmpty() && wantC > 0) {
            // created at 0 replicas, then scaled below in the same round
            var change = new DeploymentOps.Change(r.spec().images(), r.spec().env(), r.spec().resources(), r.spec().pod());
            var annotations = Map.of("noah.io/release", r.id(), "noah.io/role", "canary");
            canary = Optional.of(newApp
                    ? ops.createNew(pool, ns, canaryName, appLabel, r.spec().app(), versionLabel, r.spec().version(), change, annotations)
                    : ops.createCanary(pool, ns, runningName, canaryName, versionLabel, r.spec().version(), change, annotations));
            last.put(CANARY, 0);
            prints.put(CANARY, canary.get().template());
        }
        int curC = canary.map(DeploymentOps.State::replicas).orElse(0);
        int curR = running.map(DeploymentOps.State::replicas).orElse(0);
        if (curC < wantC) {
            last.put(CANARY, wantC);
            ops.scale(pool, ns, canaryName, wantC);
            return new PoolStep("canary scaled up to " + wantC, null);
        }
        if (curR < wantR) {
            last.put(RUNNING, wantR);
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
            last.put(RUNNING, wantR);
            ops.scale(pool, ns, runningName, wantR);
            return new PoolStep("running scaled down to " + wantR, null);
        }
        if (curC > wantC) {
            last.put(CANARY, wantC);
            ops.scale(pool, ns, canaryName, wantC);
            return new PoolStep("canary scaled down to " + wantC, null);
        }
        if (running.isPresent() && !running.get().scaledDownTo(wantR) || canary.isPresent() && !canary.get().scaledDownTo(wantC)) {
            return new PoolStep("pods terminating", null);
        }
        last.put(CANARY, wantC);
        last.put(RUNNING, wantR);
        return PoolStep.DONE;
    }

    /**
     * What someone changed outside Noah on a Deployment of the release, or null: its replicas are neither what
     * Noah last set nor the step's target (a crash between scaling and storing leaves the target, which is fine),
     * its pod template is not the one Noah created or found, or it is gone although Noah had seen it (a print of
     * its template is kept once seen; a replica count Noah set says nothing about existence: 0 for a canary of a
     * pool whose batch has not come yet).
     */
    private static String outsideChange(String role, String name, Optional<DeploymentOps.State> live, Integer lastSet, int want,
                                        TemplatePrint known) {
        if (live.isEmpty()) {
            return known != null ? "the " + role + " Deployment " + name + " was deleted outside Noah" : null;
        }
        String replicas = outsideReplicas(role, name, live.get().replicas(), lastSet, want);
        if (replicas != null) {
            return replicas;
        }
        if (known != null) {
            List<String> changed = live.get().template().changesSince(known);
            if (!changed.isEmpty()) {
                return "the pod template of " + role + " " + name + " was changed outside Noah (" + String.join("; ", changed) + ")";
            }
        }
        return null;
    }

    private static String outsideReplicas(String role, String name, int actual, Integer lastSet, int want) {
        if (lastSet != null && actual != lastSet && actual != want) {
            return "the replicas of " + role + " " + name + " were changed outside Noah (Noah set " + lastSet + ", found " + actual + ")";
        }
        return null;
    }

    private static String name(Release r, String pool, String role) {
        return role.equals(CANARY) ? r.canaryNames().get(pool) : r.runningNames().get(pool);
    }

    private static Result stop(Release r, Instant now, Map<String, Map<String, Integer>> lastSet,
                               Map<String, Map<String, TemplatePrint>> prints, String why) {
        return new Result(r.pausedFrom(r.state(), why).withLastSet(lastSet).withPrints(prints), new Outcome.Stopped(why), "paused");
    }

    private static <V> Map<String, Map<String, V>> copy(Map<String, Map<String, V>> m) {
        Map<String, Map<String, V>> out = new HashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, new HashMap<>(v)));
        }
        return out;
    }
}
