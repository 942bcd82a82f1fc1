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
                            LONG_AGO.getEpochSecond()));
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
            Integer n = replicas.get(name);
            return n == null ? Optional.empty() : Optional.of(new DeploymentOps.Versioned(new DeploymentOps.State(name, n, 1, 1, n, n, n, n,
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
    private Map<String, String> owners = Map.of();

    private Evaluator evaluator() {
        MetricSource source = (q, pool, ns, pods, at) -> {
            if (cores == null) {
                throw new PrometheusClient.SourceException("connection refused", null);
            }
            Map<String, Double> m = new HashMap<>();
            pods.forEach(p -> m.put(p, cores));
            return m;
        };
        return new Evaluator(pools, source, DefaultQueries.BY_STRATEGY, () -> owners, Duration.ofMinutes(1));
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
        owners = Map.of(ReplicaOwners.key("p", "ns", "web"), "release r-1 (waiting, batch 1 of 2)");
        assertThat(evaluate(PolicySpec.Mode.ENFORCE, Calculator.History.NONE, NOW).reason()).isEqualTo("release-in-progress");
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
        }, DefaultQueries.BY_STRATEGY, () -> Map.of(ReplicaOwners.key("p", "ns", "web"), "release r-2"), Duration.ofMinutes(1));
        DecisionRecord d = e.evaluate(policy(PolicySpec.Mode.ENFORCE), "p", new Evaluator.TickContext(NOW, Map.of(), Map.of()),
                Calculator.History.NONE);
        assertThat(d.reason()).isEqualTo("release-in-progress");
        assertThat(pools.writes).isEmpty();
    }
}
