package io.noah.hpa;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.cache.TemplatePrint;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.ops.ReplicaOwners;
import io.noah.hpa.metrics.DefaultQueries;
import io.noah.hpa.metrics.PrometheusClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The evaluator on an in-memory pool: what it reads, when it writes, and what it refuses to write. */
class EvaluatorTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofHours(2));

    /** One Deployment "web" (and optionally more) in pool "p", namespace "ns"; writes recorded. */
    static final class FakePools implements Pools {
        final Map<String, Integer> replicas = new HashMap<>();
        final Map<String, Map<String, String>> annotations = new HashMap<>();
        final Map<String, Integer> versions = new HashMap<>();
        final List<String> writes = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        String unavailable;
        List<String> others = List.of();
        boolean loseRace;
        /** The live Deployment differs from the cache: another count, or gone. */
        Integer liveReplicas;
        boolean liveGone;

        FakePools deployment(String name, int n) {
            replicas.put(name, n);
            annotations.put(name, new HashMap<>());
            versions.put(name, 1);
            return this;
        }

        @Override
        public String unavailable(String pool) {
            return unavailable;
        }

        @Override
        public App app(String pool, String namespace, String app) {
            List<DeploymentRecord> ds = new ArrayList<>();
            List<PodRecord> pods = new ArrayList<>();
            replicas.forEach((name, n) -> {
                ds.add(new DeploymentRecord(pool, namespace, name, "uid-" + name, "1", Map.of("app", app), app, Map.of(), n, n, n, n, 1, 1,
                        List.of(), 0, "h"));
                for (int i = 0; i < n; i++) {
                    pods.add(new PodRecord(pool, namespace, name + "-" + i, "u", "1", Map.of("app", app), app, "n1", "10.0.0.1", "192.0.2.1",
                            "Running", true, 0, "ReplicaSet", name + "-rs", LONG_AGO.getEpochSecond(), false, 500, 1 << 28,
                            LONG_AGO.getEpochSecond(), null, null));
                }
            });
            return new App(ds, pods);
        }

        @Override
        public List<String> liveDeployments(String pool, String namespace, String app) {
            return List.copyOf(replicas.keySet());
        }

        @Override
        public List<String> otherAutoscalers(String pool, String namespace, Set<String> deployments) {
            return others;
        }

        @Override
        public Optional<DeploymentOps.Versioned> live(String pool, String namespace, String name) {
            Integer n = liveReplicas != null ? liveReplicas : replicas.get(name);
            return n == null || liveGone ? Optional.empty() : Optional.of(new DeploymentOps.Versioned(new DeploymentOps.State(name, n, 1, 1, n, n, n, n,
                    Map.of(), Map.copyOf(annotations.get(name)), TemplatePrint.of(null)), Integer.toString(versions.get(name)), "uid-" + name));
        }

        @Override
        public boolean scale(String pool, String namespace, String name, String resourceVersion, int expected, int to,
                             Map<String, String> a) {
            if (loseRace || !resourceVersion.equals(Integer.toString(versions.get(name))) || replicas.get(name) != expected) {
                return false;
            }
            replicas.put(name, to);
            annotations.get(name).putAll(a);
            versions.merge(name, 1, Integer::sum);
            writes.add(name + "=" + to);
            return true;
        }

        @Override
        public void event(String pool, String namespace, String name, String uid, String type, String reason, String message) {
            events.add(reason + ": " + message);
        }
    }

    private final FakePools pools = new FakePools().deployment("web", 4);
    /** cpu cores per pod (requests 0.5); null: the source fails. */
    private Double cores = 0.25;
    private Map<String, ReplicaOwners.Owner> owners = Map.of();
    /** Totals asked of the owner ("pool/app=total"). */
    private final List<String> asked = new ArrayList<>();

    private final ReplicaOwners fakeOwners = new ReplicaOwners() {
        @Override
        public Map<String, Owner> owners() {
            return owners;
        }

        @Override
        public Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why, Instant at) {
            Owner o = owners.get(ReplicaOwners.key(pool, namespace, app));
            if (o == null || !o.takesTotals()) {
                return new Answer(false, "release r-1 is paused");
            }
            asked.add(pool + "/" + app + "=" + total);
            return new Answer(true, "release r-1 brings pool " + pool + " to " + total);
        }
    };

    private Evaluator evaluator() {
        MetricSource source = (q, pool, ns, pods, at) -> {
            if (cores == null) {
                throw new PrometheusClient.SourceException("connection refused", null);
            }
            Map<String, Double> m = new HashMap<>();
            pods.forEach(p -> m.put(p, cores));
            return m;
        };
        return new Evaluator(pools, source, DefaultQueries.BY_STRATEGY, fakeOwners, Duration.ofMinutes(1));
    }

    private static Autoscaler policy(PolicySpec.Mode mode) {
        var spec = new PolicySpec("web", "ns", Map.of("p", new PolicySpec.Bounds(2, 20)),
                List.of(new PolicySpec.StrategySpec("cpu", "cpu", 0.5, null)), null, mode);
        return new Autoscaler("as-1", spec, 1, "ops", LONG_AGO, LONG_AGO);
    }

    private DecisionRecord evaluate(PolicySpec.Mode mode, Calculator.History h, Instant at) {
        return evaluator().evaluate(policy(mode), "p", new Evaluator.TickContext(at, owners, Map.of("p/ns", pools.others)), h);
    }

    @Test
    void twiceTheTargetScalesWithAnnotationsAndAnEvent() {
        cores = 0.5;
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(d.reason()).isEqualTo("scale-up");
        assertThat(d.applied()).isTrue();
        assertThat(pools.writes).containsExactly("web=8");
        assertThat(pools.annotations.get("web")).containsEntry(Evaluator.LAST_SCALE_UP, NOW.toString()).containsEntry(Evaluator.POLICY, "as-1");
        assertThat(pools.events).singleElement().asString().startsWith("NoahAutoscaled: New size: 8; reason: cpu at 2.00 × target");
        assertThat(d.detail().lastScaleUp()).isEqualTo(NOW);
        assertThat(d.detail().pods()).hasSize(4).allSatisfy(p -> assertThat(p.values()).containsEntry("cpu", 0.5));
    }

    @Test
    void anInstanceThatNeverSawTheLastScaleHonoursItsCooldownFromTheDeployment() {
        cores = 0.5;
        evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        // another instance takes over 1 min later (the first killed before it recorded anything): load still 1.3 × target
        cores = 0.325;
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW.plusSeconds(60));
        assertThat(d.reason()).isEqualTo("up-cooldown");
        assertThat(d.applied()).isFalse();
        assertThat(pools.writes).containsExactly("web=8");
    }

    @Test
    void observeModeDecidesAndWritesNothing() {
        cores = 0.5;
        DecisionRecord d = evaluate(PolicySpec.Mode.OBSERVE, Calculator.History.NONE, NOW);
        assertThat(d.reason()).isEqualTo("scale-up");
        assertThat(d.desired()).isEqualTo(8);
        assertThat(d.applied()).isFalse();
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void aMetricSourceOutageNeverScalesDownAndSaysWhy() {
        cores = null;
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(d.reason()).isEqualTo("no-metrics");
        assertThat(d.detail().sourceErrors()).containsEntry("cpu", "connection refused");
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void aReleaseAnotherAutoscalerOrAnUnusablePoolFreezesThePool() {
        cores = 0.5;
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), ReplicaOwners.Owner.frozen("release r-1 (paused, batch 1 of 2)"));
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("release-in-progress");
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), ReplicaOwners.Owner.frozen("migration mig-1"));
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("migration-in-progress");
        assertThat(pools.writes).isEmpty();
        owners = Map.of();
        pools.others = List.of("HorizontalPodAutoscaler web → Deployment web");
        DecisionRecord other = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(other.reason()).isEqualTo("other-autoscaler");
        assertThat(other.detail().frozen()).contains("HorizontalPodAutoscaler web");
        pools.others = List.of();
        pools.unavailable = "pool p is unreachable";
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("pool-unavailable");
        pools.unavailable = null;
        pools.deployment("web-old", 2);
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("several-deployments");
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void aWriteThatLosesTheRaceIsAConflictNotAScale() {
        cores = 0.5;
        pools.loseRace = true;
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(d.reason()).isEqualTo("write-conflict");
        assertThat(d.applied()).isFalse();
        assertThat(pools.events).isEmpty();
    }

    @Test
    void aReleaseThatStartsBetweenTheTickAndTheWriteStillWins() {
        cores = 0.5;
        Evaluator e = new Evaluator(pools, (q, pool, ns, pods, at) -> {
            Map<String, Double> m = new HashMap<>();
            pods.forEach(p -> m.put(p, cores));
            return m;
        }, DefaultQueries.BY_STRATEGY, new ReplicaOwners() {
            @Override
            public Map<String, Owner> owners() {
                return Map.of(ReplicaOwners.key("p", "ns", "web"), new Owner("release r-2", true, null, null, null));
            }

            @Override
            public Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why, Instant at) {
                throw new AssertionError("asked from the next tick only");
            }
        }, Duration.ofMinutes(1));
        DecisionRecord d = e.evaluate(policy(PolicySpec.Mode.ENFORCE), "p", new Evaluator.TickContext(NOW, Map.of(), Map.of()),
                Calculator.History.NONE);
        assertThat(d.reason()).isEqualTo("release-in-progress");
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void aRunningReleaseIsAskedForTheTotalOfBothDeploymentsAndWritesItItself() {
        pools.deployment("web-v2", 1); // canary 1 + running 4: all five pods at twice the target
        cores = 0.5;
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), new ReplicaOwners.Owner("release r-1 (waiting, batch 1 of 4)", true, null, null, null));
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(d.reason()).isEqualTo("scale-up");
        assertThat(d.current()).isEqualTo(5);
        assertThat(d.desired()).isEqualTo(10);
        assertThat(d.applied()).isTrue();
        assertThat(d.detail().frozen()).isNull();
        assertThat(d.detail().explanation()).contains("release r-1 brings pool p to 10");
        assertThat(d.detail().lastScaleUp()).isEqualTo(NOW);
        assertThat(asked).containsExactly("p/web=10");
        assertThat(pools.writes).as("the release scales its Deployments, never the autoscaler").isEmpty();
        assertThat(pools.events).hasSize(2).allMatch(e -> e.startsWith("NoahAutoscaled: New size of app web: 10 (was 5)"));

        // next tick, the release has not applied it yet: the total asked counts as current, nothing is asked twice
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), new ReplicaOwners.Owner("release r-1 (waiting, batch 1 of 4)", true, 10, NOW, null));
        cores = 0.25 * 10 / 5; // the same load spread as if over 10 pods
        DecisionRecord again = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW.plusSeconds(15));
        assertThat(again.current()).isEqualTo(10);
        assertThat(asked).hasSize(1);
        // the owner's scale times are the cooldown's (another instance asked): a drop inside the up cooldown waits
        cores = 0.05;
        DecisionRecord down = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW.plusSeconds(60));
        assertThat(down.reason()).isEqualTo("down-cooldown");
        assertThat(asked).hasSize(1);
    }

    @Test
    void aReleaseThatTakesNoTotalsFreezesAndSaysWhy() {
        pools.deployment("web-v2", 1);
        cores = 0.5;
        // listed as taking totals when the tick began, paused by the time it is asked
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), ReplicaOwners.Owner.frozen("release r-1 (paused, batch 1 of 4)"));
        DecisionRecord refused = evaluator().evaluate(policy(PolicySpec.Mode.ENFORCE), "p", new Evaluator.TickContext(NOW,
                Map.of(ReplicaOwners.key("p", "ns", "web"), new ReplicaOwners.Owner("release r-1 (running, batch 1 of 4)", true, null, null,
                        null)), Map.of()), Calculator.History.NONE);
        assertThat(refused.reason()).isEqualTo("release-in-progress");
        assertThat(refused.applied()).isFalse();
        assertThat(refused.detail().explanation()).contains("would scale to 10").contains("release r-1 is paused");
        // listed as frozen: nothing is asked
        DecisionRecord frozen = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(frozen.reason()).isEqualTo("release-in-progress");
        assertThat(frozen.detail().frozen()).contains("paused");
        assertThat(asked).isEmpty();
        assertThat(pools.writes).isEmpty();
        assertThat(pools.events).isEmpty();
    }

    @Test
    void afterTheReleaseTheScaleItWasAskedForStillCountsForTheCooldown() {
        cores = 0.05; // far below the target: a scale-down, but this instance asked the release for a scale-up a minute ago
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, new Calculator.History(NOW.minusSeconds(60), null), NOW);
        assertThat(d.reason()).isEqualTo("down-cooldown");
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void aScaleDownWritesItsOwnTimeAndAnOwnerIsAskedDownwardsToo() {
        cores = 0.05; // 10 % of the request against a 50 % target: 4 → 1, clamped at min 2
        DecisionRecord d = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(d.applied()).isTrue();
        assertThat(d.desired()).isEqualTo(2);
        assertThat(pools.annotations.get("web")).containsKey(Evaluator.LAST_SCALE_DOWN).doesNotContainKey(Evaluator.LAST_SCALE_UP);
        assertThat(d.detail().lastScaleDown()).isEqualTo(NOW);

        pools.deployment("web", 4).deployment("web-v2", 2);
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), new ReplicaOwners.Owner("release r-1 (waiting, batch 1 of 2)", true, null,
                NOW.minus(Duration.ofHours(1)), NOW.minus(Duration.ofHours(2))));
        DecisionRecord viaOwner = evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW);
        assertThat(viaOwner.applied()).isTrue();
        assertThat(asked).containsExactly("p/web=2");
        assertThat(viaOwner.detail().lastScaleDown()).isEqualTo(NOW);
        assertThat(viaOwner.detail().lastScaleUp()).isEqualTo(NOW.minus(Duration.ofHours(1)));
    }

    @Test
    void aDeploymentChangedOrGoneSinceTheCacheIsAConflict() {
        cores = 0.5;
        pools.liveReplicas = 5; // scaled by someone since the cache saw 4
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("write-conflict");
        pools.liveReplicas = null;
        pools.liveGone = true;
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("write-conflict");
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void noDeploymentAndAKedaObjectInTheNamespaceFreeze() {
        cores = 0.5;
        pools.replicas.clear();
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("no-deployment");
        pools.deployment("web", 4);
        pools.others = List.of("ScaledObject web-so (KEDA)"); // no target named: counts for every Deployment
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("other-autoscaler");
        pools.others = List.of("HorizontalPodAutoscaler x → Deployment other");
        assertThat(evaluate(PolicySpec.Mode.OBSERVE, Calculator.History.NONE, NOW).reason()).isEqualTo("scale-up");
    }

    @Test
    void memoryIoAndCustomStrategiesReadTheirRequestsAndAMissingPodIsMissing() {
        var spec = new PolicySpec("web", "ns", Map.of("p", new PolicySpec.Bounds(2, 20)), List.of(
                new PolicySpec.StrategySpec("mem", "memory", 0.5, null),
                new PolicySpec.StrategySpec("io", "io", 1e6, null),
                new PolicySpec.StrategySpec("rps", "custom", 100, "sum by (pod) (rps{namespace=\"$namespace\",pod=~\"$pods\"})")),
                null, PolicySpec.Mode.OBSERVE);
        Map<String, Double> byPod = new HashMap<>();
        MetricSource source = (q, pool, ns, pods, at) -> {
            Map<String, Double> m = new HashMap<>();
            pods.stream().filter(x -> !x.endsWith("-3")).forEach(x -> m.put(x, q.text().contains("rps") ? 100.0
                    : q.text().contains("memory") ? (1 << 27) : 5e5));
            byPod.putAll(m);
            return m;
        };
        Evaluator e = new Evaluator(pools, source, DefaultQueries.BY_STRATEGY, fakeOwners, Duration.ofMinutes(1));
        DecisionRecord d = e.evaluate(new Autoscaler("as-2", spec, 1, "ops", LONG_AGO, LONG_AGO), "p",
                new Evaluator.TickContext(NOW, Map.of(), Map.of(), source), Calculator.History.NONE);
        assertThat(d.detail().strategies()).extracting(Calculator.StrategyResult::name).containsExactly("mem", "io", "rps");
        assertThat(d.detail().strategies()).allMatch(r -> r.missing() == 1);
        assertThat(d.detail().pods()).filteredOn(x -> x.name().equals("web-0")).first()
                .satisfies(x -> assertThat(x.memoryRequest()).isEqualTo(1 << 28));
        assertThat(d.detail().pods()).filteredOn(x -> x.name().equals("web-3")).first().satisfies(x -> assertThat(x.values()).isEmpty());
        assertThat(pools.writes).isEmpty();
    }

    @Test
    void planningSaysWhatATickWillAskAndNothingForAnUnusablePoolOrNoPods() {
        List<String> wanted = new ArrayList<>();
        MetricSource recording = (q, pool, ns, pods, at) -> {
            synchronized (wanted) {
                wanted.add(pool + "/" + ns + ":" + pods.size());
            }
            return Map.of();
        };
        TickMetrics metrics = new TickMetrics(recording);
        evaluator().plan(policy(PolicySpec.Mode.ENFORCE), "p", metrics);
        pools.unavailable = "pool p is unreachable";
        evaluator().plan(policy(PolicySpec.Mode.ENFORCE), "p2", metrics);
        pools.unavailable = null;
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            metrics.fetch(NOW, exec, new java.util.concurrent.Semaphore(2));
        }
        assertThat(wanted).containsExactly("p/ns:4");
        pools.replicas.put("web", 0);
        TickMetrics none = new TickMetrics(recording);
        evaluator().plan(policy(PolicySpec.Mode.ENFORCE), "p", none);
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            none.fetch(NOW, exec, new java.util.concurrent.Semaphore(2));
        }
        assertThat(wanted).hasSize(1);
    }

    @Test
    void laterScaleTimesWin() {
        Instant a = NOW.minusSeconds(10);
        Instant b = NOW.minusSeconds(5);
        var merged = Evaluator.latest(new Calculator.History(a, b), new Calculator.History(b, null));
        assertThat(merged).isEqualTo(new Calculator.History(b, b));
        assertThat(Evaluator.latest(Calculator.History.NONE, new Calculator.History(null, a))).isEqualTo(new Calculator.History(null, a));
        assertThat(Evaluator.history(Map.of(Evaluator.LAST_SCALE_UP, "yesterday"))).isEqualTo(Calculator.History.NONE);
    }
}
