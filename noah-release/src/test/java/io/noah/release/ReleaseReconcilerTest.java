package io.noah.release;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler against pools in memory ({@link FakeDeployments}): every rule of a step, no cluster needed. */
class ReleaseReconcilerTest {

    private static final String NS = "shop";
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    private final FakeDeployments k8s = new FakeDeployments();
    private final ReleaseReconciler reconciler = new ReleaseReconciler(k8s, k8s, "app", "version");
    private Instant now = T0;

    private static ReleaseSpec spec(List<String> pools, List<Integer> batches, ReleaseSpec.Gate gate, ReleaseSpec.OnDeadline onDeadline,
                                    Duration deleteOldAfter, Integer newAppReplicas) {
        return new ReleaseSpec("web", NS, "v2", Map.of("main", "web:2"), null, null, pools, batches, false, false, gate,
                Duration.ofMinutes(5), Duration.ofMinutes(10), onDeadline, deleteOldAfter, newAppReplicas);
    }

    /** A release as ReleaseService starts it: web-v1 runs {@code total} replicas in each pool. */
    private Release release(ReleaseSpec spec, int total) {
        Map<String, String> running = new LinkedHashMap<>();
        Map<String, String> canary = new LinkedHashMap<>();
        Map<String, Integer> totals = new LinkedHashMap<>();
        Map<String, Map<String, io.noah.cluster.cache.TemplatePrint>> prints = new LinkedHashMap<>();
        for (String pool : spec.pools()) {
            if (spec.newAppReplicas() == null) {
                k8s.put(pool, NS, "web-v1", total, "web:1");
                running.put(pool, "web-v1");
                prints.put(pool, Map.of("running", FakeDeployments.print("web:1")));
            }
            canary.put(pool, "web-v2");
            totals.put(pool, spec.newAppReplicas() == null ? total : spec.newAppReplicas());
        }
        Plan plan = Plan.perPool(spec.pools(), totals, spec.batches(), false);
        return new Release("r1", spec, plan, running, canary, ReleaseState.RUNNING, null, 0, 1, now, null, Map.of(), "ops", now, now,
                null, 0, prints);
    }

    private Release release(List<Integer> batches) {
        return release(spec(List.of("a"), batches, ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, null, null), 5);
    }

    /** Reconciles until the release stops moving on its own (the controller settling between rounds). */
    private ReleaseReconciler.Result untilQuiet(Release r, List<String> events) {
        ReleaseReconciler.Result res = null;
        for (int i = 0; i < 50; i++) {
            res = reconciler.reconcile(r, now);
            if (res.event() != null) {
                events.add(res.event());
            }
            k8s.settle();
            if (res.release().equals(r) && !(res.outcome() instanceof Outcome.Advanced)) {
                return res;
            }
            r = res.release();
        }
        return res;
    }

    private int replicas(String pool, String name) {
        var d = k8s.get(pool, NS, name);
        return d == null ? -1 : d.replicas;
    }

    @Test
    void aReleaseGoesBatchByBatchCapacityFirstAndDeletesTheOldDeploymentAtTheEnd() {
        Release r = release(List.of(1, 2, 2));
        List<String> events = new ArrayList<>();
        // round 1: the canary is created and scaled up; the running Deployment is not touched in the same round
        var first = reconciler.reconcile(r, now);
        assertThat(first.outcome()).isEqualTo(new Outcome.Waiting("a: canary scaled up to 1", now.plus(Duration.ofMinutes(10))));
        assertThat(replicas("a", "web-v2")).isEqualTo(1);
        assertThat(replicas("a", "web-v1")).isEqualTo(5);
        k8s.settle();
        var res = untilQuiet(first.release(), events);
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(res.release().step()).isEqualTo(1);
        assertThat(res.outcome()).isEqualTo(new Outcome.Waiting("gate", null));
        assertThat(replicas("a", "web-v2")).isEqualTo(1);
        assertThat(replicas("a", "web-v1")).isEqualTo(4);
        for (int step = 2; step <= 3; step++) {
            Release promoted = res.release().with(ReleaseState.RUNNING, step - 1, step, now, "promote");
            res = untilQuiet(promoted, events);
        }
        assertThat(res.release().state()).isEqualTo(ReleaseState.SUCCEEDED);
        assertThat(k8s.get("a", NS, "web-v1")).as("the old Deployment is deleted").isNull();
        assertThat(replicas("a", "web-v2")).isEqualTo(5);
        assertThat(events).containsExactly("batch-done", "batch-done", "succeeded");
    }

    @Test
    void theRunningDeploymentShrinksOnlyOnceTheCanaryIsReady() {
        Release r = release(List.of(2, 3));
        k8s.holdReady.add("a/" + NS + "/web-v2");
        var res = untilQuiet(r, new ArrayList<>());
        assertThat(res.outcome()).isInstanceOf(Outcome.Waiting.class);
        assertThat(((Outcome.Waiting) res.outcome()).why()).isEqualTo("a: canary pods ready 0/2");
        assertThat(replicas("a", "web-v1")).isEqualTo(5);
        k8s.holdReady.clear();
        k8s.settle();
        res = untilQuiet(res.release(), new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(replicas("a", "web-v1")).isEqualTo(3);
    }

    @Test
    void rollingBackGoesStepByStepAndAFastRollbackGoesStraightToZero() {
        Release r = release(List.of(1, 2, 2));
        var res = untilQuiet(r, new ArrayList<>());
        res = untilQuiet(res.release().with(ReleaseState.RUNNING, 1, 2, now, "promote"), new ArrayList<>());
        assertThat(replicas("a", "web-v2")).isEqualTo(3);
        List<String> events = new ArrayList<>();
        Release back = res.release().with(ReleaseState.ROLLING_BACK, 2, 2, now, "bad canary");
        var done = untilQuiet(back, events);
        assertThat(done.release().state()).isEqualTo(ReleaseState.ROLLED_BACK);
        assertThat(events).containsExactly("rolled-back-step", "rolled-back-step", "rolled-back");
        assertThat(k8s.get("a", NS, "web-v2")).as("the canary is deleted").isNull();
        assertThat(replicas("a", "web-v1")).isEqualTo(5);

        // fast: target 0 at once (ReleaseService.rollback(fast)), one capacity-first move
        FakeDeployments.D v1 = k8s.get("a", NS, "web-v1");
        v1.replicas = 2;
        k8s.put("a", NS, "web-v2", 3, "web:2");
        Release fast = res.release().with(ReleaseState.ROLLING_BACK, 2, 0, now, "fast").withLastSet(Map.of());
        events.clear();
        done = untilQuiet(fast, events);
        assertThat(done.release().state()).isEqualTo(ReleaseState.ROLLED_BACK);
        assertThat(events).containsExactly("rolled-back");
        assertThat(replicas("a", "web-v1")).isEqualTo(5);
    }

    @Test
    void replicasChangedByHandPauseTheReleaseInsteadOfBeingFought() {
        Release r = release(List.of(1, 4));
        var res = untilQuiet(r, new ArrayList<>());
        k8s.get("a", NS, "web-v1").replicas = 9; // someone scaled the running Deployment
        var paused = reconciler.reconcile(res.release(), now);
        assertThat(paused.release().state()).isEqualTo(ReleaseState.PAUSED);
        assertThat(paused.release().resumeTo()).isEqualTo(ReleaseState.WAITING);
        assertThat(paused.outcome()).isInstanceOf(Outcome.Stopped.class);
        assertThat(paused.release().reason()).contains("replicas of running web-v1 were changed outside Noah (Noah set 4, found 9)");
        assertThat(paused.event()).isEqualTo("paused");
    }

    @Test
    void aCanaryDeletedOrChangedByHandWhileWaitingAtTheGateIsNoticed() {
        Release r = release(List.of(1, 4));
        var waiting = untilQuiet(r, new ArrayList<>()).release();
        k8s.get("a", NS, "web-v2").template = FakeDeployments.print("web:hotfix");
        var changed = reconciler.reconcile(waiting, now);
        assertThat(changed.release().reason()).contains("pod template of canary web-v2 was changed outside Noah",
                "image of container main: web:2 → web:hotfix");

        k8s.get("a", NS, "web-v2").template = FakeDeployments.print("web:2");
        k8s.delete("a", NS, "web-v2");
        var deleted = reconciler.reconcile(waiting, now);
        assertThat(deleted.release().state()).isEqualTo(ReleaseState.PAUSED);
        assertThat(deleted.release().reason()).isEqualTo("the canary Deployment web-v2 was deleted outside Noah in pool a");
    }

    @Test
    void aLaggingCacheIsConfirmedLiveBeforeAnythingIsCalledOutside() {
        Release r = release(List.of(1, 4));
        var waiting = untilQuiet(r, new ArrayList<>()).release();
        // the cache still shows the running Deployment at 5 (Noah's own scale to 4 not seen yet): live says 4
        k8s.staleCache.put("a/" + NS + "/web-v1", new PoolView.Cached(5, FakeDeployments.print("web:1").hash()));
        var res = reconciler.reconcile(waiting, now);
        assertThat(res.release()).isEqualTo(waiting);
        assertThat(res.outcome()).isEqualTo(new Outcome.Waiting("gate", null));
    }

    @Test
    void aBatchPastItsDeadlinePausesOrRollsBackAsTheSpecSays() {
        for (ReleaseSpec.OnDeadline on : ReleaseSpec.OnDeadline.values()) {
            k8s.deployments.clear();
            k8s.holdReady.add("a/" + NS + "/web-v2");
            Release r = release(spec(List.of("a"), List.of(1, 4), ReleaseSpec.Gate.MANUAL, on, null, null), 5);
            var res = untilQuiet(r, new ArrayList<>());
            assertThat(((Outcome.Waiting) res.outcome()).until()).as("woken at the deadline").isEqualTo(T0.plus(Duration.ofMinutes(10)));
            now = T0.plus(Duration.ofMinutes(11));
            var late = reconciler.reconcile(res.release(), now);
            now = T0;
            assertThat(late.outcome()).isInstanceOf(Outcome.Stopped.class);
            assertThat(late.release().reason()).startsWith("batch 1 did not finish within PT10M: a: canary pods ready 0/1");
            assertThat(late.release().state()).isEqualTo(on == ReleaseSpec.OnDeadline.ROLLBACK ? ReleaseState.ROLLING_BACK : ReleaseState.PAUSED);
            assertThat(late.event()).isEqualTo(on == ReleaseSpec.OnDeadline.ROLLBACK ? "deadline-rollback" : "paused");
        }
    }

    @Test
    void aPoolInMaintenanceIsNotTouchedWhenAStepWouldChangeIt() {
        Release r = release(spec(List.of("a", "b"), List.of(1, 4), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, null, null), 5);
        k8s.maintenance.add("b"); // step 1 changes only pool a
        var res = untilQuiet(r, new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        res = untilQuiet(res.release().with(ReleaseState.RUNNING, 1, 2, now, "promote"), new ArrayList<>());
        assertThat(res.release().step()).as("step 2 changes only pool a too").isEqualTo(2);
        int writes = k8s.writes;
        // steps 3 and 4 change pool b
        Release intoB = res.release().with(ReleaseState.RUNNING, 2, 3, now, "promote");
        var stopped = reconciler.reconcile(intoB, now);
        assertThat(stopped.release().state()).isEqualTo(ReleaseState.PAUSED);
        assertThat(stopped.release().reason()).isEqualTo("pool b is in maintenance");
        assertThat(k8s.writes).isEqualTo(writes);
    }

    @Test
    void anAutomaticGateOpensOnTimeAndSaysWhen() {
        Release r = release(spec(List.of("a"), List.of(1, 4), ReleaseSpec.Gate.AUTO, ReleaseSpec.OnDeadline.PAUSE, null, null), 5);
        var waiting = untilQuiet(r, new ArrayList<>());
        Instant opens = waiting.release().stepStartedAt().plus(Duration.ofMinutes(5));
        assertThat(waiting.outcome()).isEqualTo(new Outcome.Waiting("gate", opens));
        now = opens;
        var open = reconciler.reconcile(waiting.release(), now);
        assertThat(open.outcome()).isEqualTo(new Outcome.Advanced("automatic gate opened"));
        assertThat(open.release().state()).isEqualTo(ReleaseState.RUNNING);
        assertThat(open.release().target()).isEqualTo(2);
        assertThat(open.event()).isEqualTo("promoted");
    }

    @Test
    void theOldDeploymentsGoOnlyAfterTheConfiguredDelay() {
        Release r = release(spec(List.of("a"), List.of(5), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE,
                Duration.ofMinutes(30), null), 5);
        var res = untilQuiet(r, new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.RUNNING);
        Instant deleteAt = res.release().stepStartedAt().plus(Duration.ofMinutes(30));
        assertThat(res.outcome()).isEqualTo(new Outcome.Waiting("old Deployments are deleted at " + deleteAt, deleteAt));
        assertThat(k8s.get("a", NS, "web-v1")).isNotNull();
        now = deleteAt;
        var done = reconciler.reconcile(res.release(), now);
        assertThat(done.release().state()).isEqualTo(ReleaseState.SUCCEEDED);
        assertThat(k8s.get("a", NS, "web-v1")).isNull();
    }

    @Test
    void aNewAppIsCreatedAndGrownInBatches() {
        Release r = release(spec(List.of("a"), List.of(1, 2), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, null, 3), 0);
        var res = untilQuiet(r, new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(replicas("a", "web-v2")).isEqualTo(1);
        assertThat(k8s.get("a", NS, "web-v2").labels).containsEntry("app", "web").containsEntry("version", "v2");
        res = untilQuiet(res.release().with(ReleaseState.RUNNING, 1, 2, now, "promote"), new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.SUCCEEDED);
        assertThat(replicas("a", "web-v2")).isEqualTo(3);
    }

    @Test
    void theRunningDeploymentDisappearingStopsTheRelease() {
        Release r = release(List.of(1, 4));
        var waiting = untilQuiet(r, new ArrayList<>()).release();
        k8s.deployments.remove("a/" + NS + "/web-v1");
        var res = reconciler.reconcile(waiting.with(ReleaseState.RUNNING, 1, 2, now, "promote"), now);
        assertThat(res.release().state()).isEqualTo(ReleaseState.PAUSED);
        assertThat(res.release().reason()).contains("running Deployment web-v1 was deleted outside Noah");
    }

    @Test
    void pausedAndFinishedReleasesAreLeftAlone() {
        Release r = release(List.of(1, 4)).pausedFrom(ReleaseState.RUNNING, "by hand");
        var res = reconciler.reconcile(r, now);
        assertThat(res.release()).isEqualTo(r);
        assertThat(res.outcome()).isEqualTo(new Outcome.Waiting("paused"));
        assertThat(k8s.writes).isZero();
    }

    @Test
    void aRollbackWaitsForTheRunningPodsAndNoDeadlineStopsIt() {
        Release r = release(List.of(1, 2, 2));
        var res = untilQuiet(r, new ArrayList<>());
        res = untilQuiet(res.release().with(ReleaseState.RUNNING, 1, 2, now, "promote"), new ArrayList<>());
        k8s.holdReady.add("a/" + NS + "/web-v1");
        Release back = res.release().with(ReleaseState.ROLLING_BACK, 2, 1, now, "bad canary");
        var waiting = untilQuiet(back, new ArrayList<>());
        assertThat(((Outcome.Waiting) waiting.outcome()).why()).isEqualTo("a: running pods ready 0/4");
        assertThat(replicas("a", "web-v2")).as("the canary keeps its pods until the running ones are ready").isEqualTo(3);
        now = T0.plus(Duration.ofHours(1));
        var late = reconciler.reconcile(waiting.release(), now);
        assertThat(late.release().state()).isEqualTo(ReleaseState.ROLLING_BACK);
        assertThat(late.outcome()).isEqualTo(new Outcome.Waiting("a: running pods ready 0/4", null));
    }

    @Test
    void podsStillTerminatingAreWaitedForBeforeTheBatchCounts() {
        Release r = release(List.of(1, 4));
        k8s.holdTerminating.add("a/" + NS + "/web-v1");
        var res = untilQuiet(r, new ArrayList<>());
        assertThat(((Outcome.Waiting) res.outcome()).why()).isEqualTo("a: pods terminating");
        k8s.holdTerminating.clear();
        k8s.settle();
        assertThat(untilQuiet(res.release(), new ArrayList<>()).release().state()).isEqualTo(ReleaseState.WAITING);
    }

    @Test
    void afterAResumeNoahTakesOverFromWhatItFinds() {
        Release r = release(List.of(1, 4));
        var waiting = untilQuiet(r, new ArrayList<>()).release();
        k8s.get("a", NS, "web-v2").replicas = 2; // changed by hand, then accepted by resuming: no record of it is kept
        Release resumed = new Release(waiting.id(), waiting.spec(), waiting.plan(), waiting.runningNames(), waiting.canaryNames(),
                ReleaseState.RUNNING, null, 1, 1, now, "resumed", Map.of(), "ops", now, now, null, 1, Map.of());
        var res = untilQuiet(resumed, new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(replicas("a", "web-v2")).as("back to the step's target").isEqualTo(1);
        assertThat(replicas("a", "web-v1")).isEqualTo(4);
        // with no print of it kept, a running Deployment that is gone is noticed when a step needs it
        k8s.deployments.remove("a/" + NS + "/web-v1");
        Release next = new Release(waiting.id(), waiting.spec(), waiting.plan(), waiting.runningNames(), waiting.canaryNames(),
                ReleaseState.RUNNING, null, 1, 1, now, "resumed", Map.of(), "ops", now, now, null, 1, Map.of());
        var gone = reconciler.reconcile(next, now);
        assertThat(gone.release().state()).isEqualTo(ReleaseState.PAUSED);
        assertThat(gone.release().reason()).isEqualTo("the running Deployment web-v1 disappeared from pool a");
    }

    @Test
    void aZeroDelayDeletesTheOldDeploymentsAtOnce() {
        Release r = release(spec(List.of("a"), List.of(5), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, Duration.ZERO, null), 5);
        assertThat(untilQuiet(r, new ArrayList<>()).release().state()).isEqualTo(ReleaseState.SUCCEEDED);
        assertThat(k8s.get("a", NS, "web-v1")).isNull();
    }

    @Test
    void aTotalAskedWhileWaitingAtTheGateIsAppliedInThePlansSharesCapacityFirstAndTheReleaseWaitsOn() {
        Release r = release(spec(List.of("a"), List.of(2, 8), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, null, null), 10);
        List<String> events = new ArrayList<>();
        var res = untilQuiet(r, events);
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(replicas("a", "web-v2")).isEqualTo(2);
        assertThat(replicas("a", "web-v1")).isEqualTo(8);
        // load doubles: an autoscaler asks for 20; 20 % canary kept, so 4 + 16
        Release resized = res.release().resized(Map.of("a", 20));
        var first = reconciler.reconcile(resized, now);
        assertThat(first.outcome()).isEqualTo(new Outcome.Waiting("resizing: a: canary scaled up to 4"));
        k8s.settle();
        res = untilQuiet(first.release(), events);
        assertThat(res.release().state()).as("never paused, still at its gate").isEqualTo(ReleaseState.WAITING);
        assertThat(res.outcome()).isEqualTo(new Outcome.Waiting("gate", null));
        assertThat(replicas("a", "web-v2")).isEqualTo(4);
        assertThat(replicas("a", "web-v1")).isEqualTo(16);
        // load falls to a quarter: 5 asked; the canary of the batch under check is not lowered (4), the running side gives way
        res = untilQuiet(res.release().resized(Map.of("a", 5)), events);
        assertThat(replicas("a", "web-v2")).isEqualTo(4);
        assertThat(replicas("a", "web-v1")).isEqualTo(1);
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        // promoted: the last step puts every replica of the resized total on the canary, and the release ends done
        res = untilQuiet(res.release().with(ReleaseState.RUNNING, 1, 2, now, "promote"), events);
        assertThat(res.release().state()).isEqualTo(ReleaseState.SUCCEEDED);
        assertThat(replicas("a", "web-v2")).isEqualTo(5);
        assertThat(k8s.get("a", NS, "web-v1")).isNull();
        assertThat(events).containsExactly("batch-done", "succeeded");
    }

    @Test
    void aTotalAskedWhileABatchMovesChangesItsTargetsWithoutCallingItAnOutsideChange() {
        Release r = release(spec(List.of("a"), List.of(5, 5), ReleaseSpec.Gate.MANUAL, ReleaseSpec.OnDeadline.PAUSE, null, null), 10);
        var first = reconciler.reconcile(r, now); // canary scaled up to 5
        k8s.settle();
        assertThat(replicas("a", "web-v2")).isEqualTo(5);
        // asked for 14 before the running side shrank: 7 + 7
        var res = untilQuiet(first.release().resized(Map.of("a", 14)), new ArrayList<>());
        assertThat(res.release().state()).isEqualTo(ReleaseState.WAITING);
        assertThat(replicas("a", "web-v2")).isEqualTo(7);
        assertThat(replicas("a", "web-v1")).isEqualTo(7);
        assertThat(res.release().origin().totals()).containsEntry("a", 10);
        assertThat(res.release().plan().totals()).containsEntry("a", 14);
    }
}
