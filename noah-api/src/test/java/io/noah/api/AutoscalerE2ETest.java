package io.noah.api;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The autoscaler end to end: the packaged Noah, the two local clusters, the stack's real VictoriaMetrics fed synthetic
 * per-pod load every second ({@link MetricFeeder}), or scraping KWOK's emulated usage as in the run command. The test
 * Noah ticks every 3 s over a 30 s window.
 */
class AutoscalerE2ETest extends TwoClustersE2E {

    private static final Duration TICK = NoahServer.AUTOSCALER_TICK;
    private static final String RPS = "max by (pod) (noah_test_rps{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"})";
    private MetricFeeder feeder;

    AutoscalerE2ETest() {
        super("hpa");
    }

    @BeforeAll
    void feeder() {
        feeder = new MetricFeeder(stack.metricsUrl());
    }

    @AfterAll
    void stopFeeder() {
        feeder.close();
        noah.get("/api/v1/autoscalers?namespace=" + ns + "&limit=1000", ADMIN_TOKEN).body()
                .forEach(x -> noah.send("DELETE", "/api/v1/autoscalers/" + x.get("id").asString(), ADMIN_TOKEN, null));
    }

    private void deploy(String cluster, String app, int replicas) {
        KubernetesClient k = stack.client(cluster);
        Deployment d = Workloads.deployment(app, replicas, Map.of("version", "v1"));
        d.getSpec().getTemplate().getSpec().getContainers().getFirst().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("500m")).addToRequests("memory", new Quantity("256Mi")).build());
        k.apps().deployments().inNamespace(ns).resource(d).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> Workloads.readyReplicas(k, ns, app) == replicas);
    }

    private int replicas(String cluster, String name) {
        Deployment d = stack.client(cluster).apps().deployments().inNamespace(ns).withName(name).get();
        return d == null ? -1 : d.getSpec().getReplicas();
    }

    private static Map<String, Object> policy(String app, String ns, Map<String, Object> pools, List<Map<String, Object>> strategies,
                                              Map<String, Object> tuning, String mode) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", app);
        body.put("namespace", ns);
        body.put("pools", pools);
        body.put("strategies", strategies);
        if (tuning != null) {
            body.put("tuning", tuning);
        }
        body.put("mode", mode);
        body.put("reason", "ticket CAP-7");
        return body;
    }

    private String create(Map<String, Object> body) {
        var r = noah.post("/api/v1/autoscalers", ADMIN_TOKEN, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.body().get("id").asString();
    }

    private List<JsonNode> decisions(String id) {
        List<JsonNode> out = new ArrayList<>();
        noah.get("/api/v1/autoscalers/" + id + "/decisions?limit=500", ADMIN_TOKEN).body().get("items").forEach(out::add);
        return out.reversed(); // oldest first
    }

    private JsonNode latest(String id, String pool) {
        for (JsonNode d : noah.get("/api/v1/autoscalers/" + id, ADMIN_TOKEN).body().get("latest")) {
            if (d.get("pool").asString().equals(pool)) {
                return d;
            }
        }
        return null;
    }

    private JsonNode awaitReason(String id, String pool, String reason, Duration within) {
        return await(id + " " + reason).atMost(within).pollInterval(Duration.ofMillis(250))
                .until(() -> latest(id, pool), d -> d != null && d.get("reason").asString().equals(reason));
    }

    @Test
    void cpuLoadPushedUpScalesInTheFirstTickThatSeesItWithAnEventAndAMetric() {
        deploy(a, "shop", 2);
        // on target: 2 pods × 0.25 core of 0.5 requested = 50 %
        feeder.cpu(a, stack.client(a), ns, "shop", 0.5);
        String id = create(policy("shop", ns, Map.of(a, Map.of("min", 1, "max", 10)),
                List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)), null, "enforce"));
        // the pods became ready < 15 s ago: their CPU counts once the window holds only ready time
        awaitReason(id, a, "within-tolerance", Duration.ofSeconds(60));
        Instant pushed = Instant.now();
        feeder.cpu(a, stack.client(a), ns, "shop", 1.0); // 100 % of requests: twice the target
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas(a, "shop") > 2);
        System.out.printf("cpu step → scaled %.1f s after the load rose (window 30 s, tick %d s)%n",
                Duration.between(pushed, Instant.now()).toMillis() / 1000.0, TICK.toSeconds());
        // the first decision that saw the load outside the tolerance scaled: no tick of waiting in between
        List<JsonNode> all = await().atMost(Duration.ofSeconds(5)).until(() -> decisions(id), l -> l.stream().anyMatch(d -> d.get("applied").asBoolean()));
        int steady = all.indexOf(all.stream().filter(d -> d.get("reason").asString().equals("within-tolerance")).findFirst().orElseThrow());
        JsonNode first = all.subList(steady, all.size()).stream().filter(d -> !d.get("reason").asString().equals("within-tolerance"))
                .findFirst().orElseThrow(() -> new AssertionError("no decision after the steady one: " + all));
        assertThat(first.get("reason").asString()).as(first.toString()).isEqualTo("scale-up");
        assertThat(first.get("applied").asBoolean()).isTrue();
        assertThat(first.get("current").asInt()).isEqualTo(2);
        assertThat(first.get("desired").asInt()).isEqualTo(replicas(a, "shop"));
        JsonNode cpu = first.get("strategies").get(0);
        assertThat(cpu.get("counted").asInt()).isEqualTo(2);
        assertThat(cpu.get("ratio").asDouble()).isGreaterThan(1.05);
        assertThat(first.get("pods")).hasSize(2).allSatisfy(p -> {
            assertThat(p.get("cpuRequest").asDouble()).isEqualTo(0.5);
            assertThat(p.get("values").get("cpu").asDouble()).isGreaterThan(0.25);
        });
        // as kubectl describe shows it, and as Prometheus scrapes it
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.client(a).v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "NoahAutoscaled".equals(e.getReason()) && "shop".equals(e.getInvolvedObject().getName())
                        && e.getMessage().startsWith("New size: ")));
        String prometheus = noah.get("/actuator/prometheus", ADMIN_TOKEN).raw();
        assertThat(prometheus).contains("noah_autoscaler_scales_total{", "autoscaler=\"" + id + "\"", "noah_autoscaler_replicas{");
        var annotations = stack.client(a).apps().deployments().inNamespace(ns).withName("shop").get().getMetadata().getAnnotations();
        assertThat(annotations).containsKey("autoscaler.noah.io/last-scale-up").containsEntry("autoscaler.noah.io/policy", id);
    }

    /** The run command's way: no feeder, pods annotated with their CPU usage, VictoriaMetrics scraping KWOK every 15 s. */
    @Test
    void podsAnnotatedWithACpuUsageAreScaledOnTheStacksScrapedMetrics() {
        KubernetesClient k = stack.client(b);
        Deployment d = Workloads.deployment("emulated", 2, Map.of("version", "v1"));
        d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("kwok.x-k8s.io/usage-cpu", "400m"));
        d.getSpec().getTemplate().getSpec().getContainers().getFirst().setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("500m")).build());
        k.apps().deployments().inNamespace(ns).resource(d).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k, ns, "emulated") == 2);
        // 80 % of requests against a 50 % target: ceil(2 × 0.8 / 0.5) = 4
        String id = create(policy("emulated", ns, Map.of(b, Map.of("min", 1, "max", 10)),
                List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)), null, "enforce"));
        await().atMost(Duration.ofSeconds(120)).until(() -> replicas(b, "emulated") == 4);
        JsonNode up = await().atMost(Duration.ofSeconds(5)).until(() -> decisions(id), l -> l.stream().anyMatch(x -> x.get("applied").asBoolean()))
                .stream().filter(x -> x.get("applied").asBoolean()).findFirst().orElseThrow();
        assertThat(up.get("strategies").get(0).get("ratio").asDouble()).isBetween(1.55, 1.65);
    }

    @Test
    void insideTheUpCooldownOnlyTheFrustratedLevelScalesAndDownWaitsForItsCooldown() {
        deploy(b, "api", 4);
        feeder.rps(b, stack.client(b), ns, "api", 100);
        String id = create(policy("api", ns, Map.of(b, Map.of("min", 2, "max", 20)),
                List.of(Map.of("name", "rps", "type", "custom", "target", 100, "query", RPS)),
                Map.of("upCooldownSeconds", 3600, "downCooldownSeconds", 20), "enforce"));
        awaitReason(id, b, "within-tolerance", Duration.ofSeconds(30));
        feeder.rps(b, stack.client(b), ns, "api", 150); // 1.5 × target: the first scale-up, 4 → 6
        await().atMost(TICK.multipliedBy(4)).until(() -> replicas(b, "api") == 6);
        await().atMost(Duration.ofSeconds(30)).until(() -> Workloads.readyReplicas(stack.client(b), ns, "api") == 6);
        feeder.rps(b, stack.client(b), ns, "api", 139); // 1.39 × target inside the up cooldown: waits
        awaitReason(id, b, "up-cooldown", Duration.ofSeconds(30));
        holds(TICK.multipliedBy(2), () -> replicas(b, "api") == 6);
        feeder.rps(b, stack.client(b), ns, "api", 145); // 1.45 × target: above the frustrated level 1.4, scales at once
        await().atMost(TICK.multipliedBy(4)).until(() -> replicas(b, "api") == 9); // ceil(6 × 1.45)
        JsonNode frustrated = await().atMost(Duration.ofSeconds(5)).until(() -> decisions(id), l -> l.getLast().get("applied").asBoolean()).stream().filter(d -> d.get("applied").asBoolean()).toList().getLast();
        assertThat(frustrated.get("reason").asString()).isEqualTo("frustrated-scale-up");
        Instant scaledUp = Instant.parse(frustrated.get("at").asString());
        feeder.rps(b, stack.client(b), ns, "api", 50); // half the target: wants fewer, after the down cooldown (20 s)
        awaitReason(id, b, "down-cooldown", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(40)).until(() -> replicas(b, "api") < 9);
        JsonNode down = await().atMost(Duration.ofSeconds(5)).until(() -> decisions(id), l -> l.stream().anyMatch(x -> x.get("applied").asBoolean()
                && x.get("reason").asString().equals("scale-down"))).stream().filter(d -> d.get("applied").asBoolean()).toList().getLast();
        assertThat(down.get("reason").asString()).isEqualTo("scale-down");
        assertThat(Duration.between(scaledUp, Instant.parse(down.get("at").asString()))).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(down.get("desired").asInt()).isEqualTo(5); // ceil(9 × 0.5)
    }

    @Test
    void observeModeRecordsTheDecisionAndWritesNothingThenEnforceScales() {
        deploy(a, "search", 2);
        feeder.rps(a, stack.client(a), ns, "search", 300);
        String id = create(policy("search", ns, Map.of(a, Map.of("min", 1, "max", 5)),
                List.of(Map.of("name", "rps", "type", "custom", "target", 100, "query", RPS)), null, "observe"));
        JsonNode d = awaitReason(id, a, "clamped", Duration.ofSeconds(30)); // wants 6, max 5
        assertThat(d.get("applied").asBoolean()).isFalse();
        assertThat(d.get("proposed").asInt()).isEqualTo(6);
        assertThat(d.get("desired").asInt()).isEqualTo(5);
        assertThat(d.get("mode").asString()).isEqualTo("observe");
        holds(TICK.multipliedBy(2), () -> replicas(a, "search") == 2);
        var enforced = noah.post("/api/v1/autoscalers/" + id + "/enforce", ADMIN_TOKEN, Map.of("reason", "observed for a week"));
        assertThat(enforced.status()).as(enforced.raw()).isEqualTo(200);
        assertThat(enforced.body().get("mode").asString()).isEqualTo("enforce");
        await().atMost(TICK.multipliedBy(4)).until(() -> replicas(a, "search") == 5);
    }

    @Test
    void anAppScaledByAKubernetesHpaIsRefusedAndOneThatAppearsLaterStopsThePolicy() {
        deploy(a, "legacy", 2);
        deploy(b, "legacy", 2);
        stack.client(a).autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("legacy").endMetadata()
                .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("legacy").endScaleTargetRef()
                .withMinReplicas(2).withMaxReplicas(4).endSpec().build()).create();
        var refused = noah.post("/api/v1/autoscalers", ADMIN_TOKEN, policy("legacy", ns, Map.of(a, Map.of("min", 1, "max", 5)),
                List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)), null, "enforce"));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("autoscaler-conflict");
        assertThat(refused.body().get("detail").asString()).contains("HorizontalPodAutoscaler legacy");
        // in pool b there is none yet: accepted; one created afterwards stops the policy there
        feeder.rps(b, stack.client(b), ns, "legacy", 300);
        String id = create(policy("legacy", ns, Map.of(b, Map.of("min", 1, "max", 10)),
                List.of(Map.of("name", "rps", "type", "custom", "target", 100, "query", RPS)), Map.of("upCooldownSeconds", 0), "observe"));
        awaitReason(id, b, "scale-up", Duration.ofSeconds(30));
        stack.client(b).autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("legacy-hpa").endMetadata()
                .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("legacy").endScaleTargetRef()
                .withMinReplicas(2).withMaxReplicas(2).endSpec().build()).create();
        JsonNode d = awaitReason(id, b, "other-autoscaler", Duration.ofSeconds(30));
        assertThat(d.get("frozen").asString()).contains("HorizontalPodAutoscaler legacy-hpa");
        noah.post("/api/v1/autoscalers/" + id + "/enforce", ADMIN_TOKEN, Map.of());
        holds(TICK.multipliedBy(2), () -> replicas(b, "legacy") == 2);
        assertThat(latest(id, b).get("applied").asBoolean()).isFalse();
    }

    @Test
    void loadRisingDuringAReleaseResizesItInItsPlansSharesWithoutAFightAndTheReleaseEndsDone() {
        deploy(b, "cart", 4);
        feeder.rps(b, stack.client(b), ns, "cart", 100);
        // up cooldown 10 min: one scale-up, then only a load past 1.4 × target could scale up again
        String id = create(policy("cart", ns, Map.of(b, Map.of("min", 2, "max", 20)),
                List.of(Map.of("name", "rps", "type", "custom", "target", 100, "query", RPS)), Map.of("upCooldownSeconds", 600), "enforce"));
        awaitReason(id, b, "within-tolerance", Duration.ofSeconds(30));
        var release = noah.post("/api/v1/releases", ADMIN_TOKEN, Map.of("app", "cart", "namespace", ns, "version", "v2",
                "images", Map.of("main", "registry.local/cart:2"), "pools", List.of(b), "batches", List.of(2, 2), "reason", "CHG-9"));
        assertThat(release.status()).as(release.raw()).isEqualTo(201);
        String rid = release.body().get("id").asString();
        await().atMost(Duration.ofSeconds(60)).until(() -> releaseState(rid).equals("waiting"));
        assertThat(replicas(b, "cart-v2")).isEqualTo(2);
        assertThat(replicas(b, "cart")).isEqualTo(2);

        // 1.3 × target on all four pods (running and canary together) while the batch waits at its gate: 6 asked of the release
        feeder.rps(b, stack.client(b), ns, "cart", 130);
        JsonNode d = awaitReason(id, b, "scale-up", Duration.ofSeconds(30));
        assertThat(d.get("applied").asBoolean()).isTrue();
        assertThat(d.get("current").asInt()).isEqualTo(4);
        assertThat(d.get("desired").asInt()).isEqualTo(6);
        assertThat(d.get("explanation").asString()).contains("release " + rid).contains("shares kept");
        // the release scales both Deployments in its plan's shares (50 %: 3 + 3), capacity first, and keeps waiting at its gate
        await().atMost(Duration.ofSeconds(60)).until(() -> replicas(b, "cart-v2") == 3 && replicas(b, "cart") == 3);
        assertThat(releaseState(rid)).isEqualTo("waiting");
        JsonNode resized = null;
        for (JsonNode e : noah.get("/api/v1/releases/" + rid, ADMIN_TOKEN).body().get("history")) {
            if (e.get("type").asString().equals("resized")) {
                resized = e;
            }
        }
        assertThat(resized).as("the resize is in the release's history").isNotNull();
        assertThat(resized.get("actor").asString()).isEqualTo("autoscaler " + id);
        assertThat(resized.get("reason").asString()).contains("pool " + b + ": 4 → 6");
        var plan = noah.get("/api/v1/releases/" + rid, ADMIN_TOKEN).body();
        assertThat(plan.get("pools").get(0).get("targetCanary").asInt()).isEqualTo(3);
        // a few ticks on: under the frustrated level inside the up cooldown nothing more is asked, nothing is fought
        holds(TICK.multipliedBy(3), () -> replicas(b, "cart-v2") == 3 && replicas(b, "cart") == 3);
        assertThat(latest(id, b).get("reason").asString()).isEqualTo("up-cooldown");

        noah.post("/api/v1/releases/" + rid + "/promote", ADMIN_TOKEN, Map.of("reason", "looks good"));
        await().atMost(Duration.ofSeconds(60)).until(() -> releaseState(rid).equals("succeeded"));
        assertThat(replicas(b, "cart-v2")).as("every replica of the resized total on the new version").isEqualTo(6);
        // the release is over: the autoscaler acts on the new Deployment alone, and its cooldown still counts from the resize
        // (once every new pod has a sample: a pod that just turned ready and has none yet counts at 0 for a scale-up, as
        // in the Kubernetes HPA, and the first tick may rightly see the app within tolerance)
        JsonNode after = await().atMost(Duration.ofSeconds(30)).until(() -> latest(id, b),
                x -> x != null && x.get("deployment") != null && x.get("deployment").asString().equals("cart-v2")
                        && x.get("strategies").get(0).get("counted").asInt() == 6);
        assertThat(after.get("reason").asString()).isEqualTo("up-cooldown");
        assertThat(after.get("current").asInt()).isEqualTo(6);
    }

    private String releaseState(String rid) {
        return noah.get("/api/v1/releases/" + rid, ADMIN_TOKEN).body().get("state").asString();
    }

    /** The condition is true now and stays true for {@code d} (polled): "nothing happens" without a bare sleep. */
    private static void holds(Duration d, java.util.concurrent.Callable<Boolean> condition) {
        await().during(d).atMost(d.plusSeconds(10)).pollInterval(Duration.ofMillis(250)).until(condition);
    }
}
