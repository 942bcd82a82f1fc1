package io.noah.api;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Disaster-recovery migrations end to end, on a packaged Noah of its own (own database) that declares the two local
 * clusters in two IDCs — idc-a in "east", idc-b in "west" — and watches this test's namespace only: the fit check
 * against what really schedules, make-before-break batches watched on both sides, the reverse, a source IDC whose API
 * server is stopped, a Noah killed mid-batch, an evacuation by priority under a cap, and bad input.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationE2ETest {

    private LocalStack stack;
    private NoahServer shared;
    private NoahProcess noah;
    private String a;
    private String b;
    private String db;
    private final String ns = "mig-" + UUID.randomUUID().toString().substring(0, 6);
    private final String id = ns.substring(4);

    @BeforeAll
    void start(LocalStack stack) {
        this.stack = stack;
        shared = NoahServer.get();
        a = stack.clusters().get(0);
        b = stack.clusters().get(1);
        for (String c : List.of(a, b)) {
            LocalStack.createNamespace(stack.client(c), ns);
        }
        db = stack.freshDatabase("noah_mig_" + id);
        noah = startNoah("mig-1-" + id);
    }

    private NoahProcess startNoah(String instance) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", db);
        props.put("noah.namespaces", ns);
        props.put("noah.release-tick", "500ms");
        props.put("noah.clusters[0].name", a);
        props.put("noah.clusters[0].idc", "east");
        props.put("noah.clusters[0].kubeconfig-file", stack.kubeconfig(a).toString());
        props.put("noah.clusters[1].name", b);
        props.put("noah.clusters[1].idc", "west");
        props.put("noah.clusters[1].kubeconfig-file", stack.kubeconfig(b).toString());
        return NoahProcess.start(stack, instance, "3s", props);
    }

    @AfterAll
    void stop() {
        if (noah != null) {
            noah.close();
        }
        for (String c : List.of(a, b)) {
            stack.client(c).namespaces().withName(ns).delete();
        }
    }

    private NoahServer.Response call(String method, String path, Object body) {
        return shared.sendTo(noah.port(), method, path, ADMIN_TOKEN, body);
    }

    private void deploy(String cluster, String app, int replicas, String cpu, Map<String, String> labels) {
        KubernetesClient k = stack.client(cluster);
        Deployment d = Workloads.deployment(app, replicas, Map.of("version", "v1"));
        d.getMetadata().getLabels().putAll(labels);
        d.getSpec().getTemplate().getSpec().getContainers().getFirst().setResources(new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity("64Mi")).build());
        k.apps().deployments().inNamespace(ns).resource(d).create();
    }

    private void awaitReady(String cluster, String app, int replicas) {
        await(app + " ready in " + cluster).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> Workloads.readyReplicas(stack.client(cluster), ns, app) == replicas);
    }

    /** Noah's cache of both clusters lists the app's Deployment (the plan reads the caches). */
    private void awaitCached(String app) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> call("GET", "/api/v1/deployments?namespace=" + ns + "&app=" + app, null).body().get("items").size() >= 1);
    }

    private int specReplicas(String cluster, String name) {
        Deployment d = stack.client(cluster).apps().deployments().inNamespace(ns).withName(name).get();
        return d == null ? -1 : d.getSpec().getReplicas();
    }

    private static int readyPods(KubernetesClient k, String ns, String app) {
        int n = 0;
        for (Pod p : k.pods().inNamespace(ns).withLabel("app", app).list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() == null && Workloads.isReady(p)) {
                n++;
            }
        }
        return n;
    }

    private Map<String, Object> body(List<String> apps, String from, String to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("apps", apps.stream().map(x -> Map.of("namespace", ns, "app", x)).toList());
        m.put("fromIdc", from);
        m.put("toIdc", to);
        m.put("reason", "DR drill " + id);
        return m;
    }

    private String startMigration(Map<String, Object> body) {
        var r = call("POST", "/api/v1/migrations", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.body().get("id").asString();
    }

    private JsonNode awaitState(String mid, String state, Duration within) {
        return await(mid + " " + state).atMost(within).pollInterval(Duration.ofMillis(300))
                .until(() -> call("GET", "/api/v1/migrations/" + mid, null).body(), m -> m.get("state").asString().equals(state));
    }

    @Test
    @Order(1)
    void anEvacuationRunsAppsByPriorityUnderTheCap() {
        deploy(a, "p-low", 2, "10m", Map.of("noah.io/dr-priority", "1"));
        deploy(a, "p-high", 2, "10m", Map.of("noah.io/dr-priority", "5"));
        deploy(a, "p-mid", 2, "10m", Map.of("noah.io/dr-priority", "3"));
        for (String app : List.of("p-low", "p-high", "p-mid")) {
            awaitReady(a, app, 2);
            awaitCached(app);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("allApps", true);
        body.put("fromIdc", "east");
        body.put("toIdc", "west");
        body.put("batchSize", 1);
        body.put("concurrency", 2);
        body.put("reason", "evacuate east " + id);
        String mid = startMigration(body);
        JsonNode done = awaitState(mid, "succeeded", Duration.ofSeconds(120));
        Map<String, Integer> order = new HashMap<>();
        done.get("moves").forEach(x -> order.put(x.get("app").asString(), x.get("order").asInt()));
        assertThat(order).containsEntry("p-high", 0).containsEntry("p-mid", 1).containsEntry("p-low", 2);
        // from the history: when each app started and finished; never more than 2 at once, p-low after a first one finished
        Map<String, Instant> started = new HashMap<>();
        Map<String, Instant> finished = new HashMap<>();
        for (JsonNode s : done.get("history")) {
            String app = s.get("app").isNull() ? null : s.get("app").asString();
            Instant at = Instant.parse(s.get("at").asString());
            if (app != null && s.get("what").asString().startsWith("batch 1: target up")) {
                started.putIfAbsent(app, at);
            }
            if (app != null && s.get("what").asString().startsWith("done")) {
                finished.put(app, at);
            }
        }
        assertThat(started).containsKeys("p-high", "p-mid", "p-low");
        assertThat(started.get("p-high")).isBeforeOrEqualTo(started.get("p-mid"));
        Instant firstDone = finished.get("p-high").isBefore(finished.get("p-mid")) ? finished.get("p-high") : finished.get("p-mid");
        assertThat(started.get("p-low")).isAfterOrEqualTo(firstDone);
        for (String app : List.of("p-low", "p-high", "p-mid")) {
            assertThat(specReplicas(a, app)).isZero();
            assertThat(specReplicas(b, app)).isEqualTo(2);
            assertThat(stack.client(b).apps().deployments().inNamespace(ns).withName(app).get().getMetadata().getAnnotations())
                    .containsEntry("noah.io/migration", mid);
        }
        assertThat(done.get("report").toString()).contains("\"cluster\":\"" + b + "\",\"role\":\"target\",\"apps\":3,\"pods\":6");
    }

    @Test
    @Order(2)
    void tenReplicasMoveInBatchesNeverBelowTheFloorAndTheReverseBringsThemBack() throws Exception {
        deploy(a, "web", 10, "10m", Map.of());
        awaitReady(a, "web", 10);
        awaitCached("web");
        var plan = call("POST", "/api/v1/migrations", with(body(List.of("web"), "east", "west"), "dryRun", true));
        assertThat(plan.status()).as(plan.raw()).isEqualTo(200);
        assertThat(plan.body().get("minReady").get(ns + "/web").asInt()).isEqualTo(10);
        assertThat(plan.body().get("fits").asBoolean()).isTrue();
        assertThat(plan.body().get("moves").get(0).get("createsTarget").asBoolean()).isTrue();
        // watch both sides every 100 ms: Ready pods (not terminating) in east + west
        AtomicInteger least = new AtomicInteger(Integer.MAX_VALUE);
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                try {
                    int n = readyPods(stack.client(a), ns, "web") + readyPods(stack.client(b), ns, "web");
                    least.accumulateAndGet(n, Math::min);
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        String mid = startMigration(with(body(List.of("web"), "east", "west"), "batchSize", 3));
        // progress as server-sent events: the first event is the migration as GET answers it
        var sse = shared.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(noah.url("/api/v1/migrations/" + mid + "/events")))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Accept", "text/event-stream").build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(sse.statusCode()).isEqualTo(200);
        try (var lines = sse.body()) {
            String data = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
            assertThat(data).contains("\"id\":\"" + mid + "\"").contains("\"moves\"");
        }
        JsonNode done = awaitState(mid, "succeeded", Duration.ofSeconds(120));
        assertThat(specReplicas(a, "web")).isZero();
        assertThat(specReplicas(b, "web")).isEqualTo(10);
        awaitReady(b, "web", 10);
        assertThat(done.get("moves").get(0).get("batch").asInt()).isEqualTo(4); // 3 + 3 + 3 + 1
        // the reverse, in one call
        var back = call("POST", "/api/v1/migrations/" + mid + "/reverse", Map.of("reason", "east is back"));
        assertThat(back.status()).as(back.raw()).isEqualTo(201);
        assertThat(back.body().get("reverseOf").asString()).isEqualTo(mid);
        awaitState(back.body().get("id").asString(), "succeeded", Duration.ofSeconds(120));
        watching.set(false);
        watcher.join();
        assertThat(specReplicas(a, "web")).isEqualTo(10);
        assertThat(specReplicas(b, "web")).isZero();
        System.out.println("migration: least Ready pods of web seen on both sides together: " + least.get());
        assertThat(least.get()).as("Ready pods in east + west at the worst moment").isGreaterThanOrEqualTo(10);
        // every step recorded, with the actor
        assertThat(done.get("history").get(0).get("actor").asString()).isEqualTo("bootstrap");
        assertThat(done.get("history").toString()).contains("target Ready, source down");
    }

    private static Map<String, Object> with(Map<String, Object> m, String k, Object v) {
        Map<String, Object> out = new LinkedHashMap<>(m);
        out.put(k, v);
        return out;
    }

    /** Free CPU (millicores) per schedulable, untainted, Ready node of a cluster: allocatable minus the requests of its pods. */
    private List<Long> freeCpu(String cluster) {
        KubernetesClient k = stack.client(cluster);
        Map<String, Long> used = new HashMap<>();
        for (Pod p : k.pods().inAnyNamespace().list().getItems()) {
            if (p.getSpec().getNodeName() == null || p.getMetadata().getDeletionTimestamp() != null
                    || List.of("Succeeded", "Failed").contains(p.getStatus().getPhase())) {
                continue;
            }
            long m = 0;
            for (var c : p.getSpec().getContainers()) {
                if (c.getResources() != null && c.getResources().getRequests() != null && c.getResources().getRequests().get("cpu") != null) {
                    m += c.getResources().getRequests().get("cpu").getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue();
                }
            }
            used.merge(p.getSpec().getNodeName(), m, Long::sum);
        }
        List<Long> out = new ArrayList<>();
        for (Node n : k.nodes().list().getItems()) {
            if (Boolean.TRUE.equals(n.getSpec().getUnschedulable()) || n.getSpec().getTaints() != null && !n.getSpec().getTaints().isEmpty()) {
                continue;
            }
            long alloc = n.getStatus().getAllocatable().get("cpu").getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValue();
            out.add(alloc - used.getOrDefault(n.getMetadata().getName(), 0L));
        }
        return out;
    }

    @Test
    @Order(3)
    void theFitCheckPredictsWhatReallySchedules() {
        // terminating pods still hold their requests for the scheduler: none left from the tests before
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.client(b).pods().inAnyNamespace().list().getItems().stream()
                .noneMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
        List<Long> free = freeCpu(b);
        long min = free.stream().mapToLong(Long::longValue).min().orElseThrow();
        long request = min * 6 / 10; // at most one pod on the smallest node; the bigger ones take what they hold
        int expected = free.stream().mapToInt(f -> (int) (f / request)).sum();
        int replicas = expected + 3;
        deploy(a, "big", replicas, request + "m", Map.of());
        awaitCached("big");
        var plan = call("POST", "/api/v1/migrations", with(body(List.of("big"), "east", "west"), "dryRun", true));
        assertThat(plan.status()).as(plan.raw()).isEqualTo(200);
        JsonNode fit = plan.body().get("fit").get(0);
        assertThat(fit.get("cluster").asString()).isEqualTo(b);
        assertThat(fit.get("placeable").asInt()).isEqualTo(expected);
        assertThat(fit.get("pods").asInt()).isEqualTo(replicas);
        assertThat(fit.get("shortCpuMilli").asLong()).isEqualTo(3 * request);
        assertThat(fit.get("summary").asString()).startsWith("placeable " + expected + " of " + replicas + ", short by ");
        // refused without force
        var refused = call("POST", "/api/v1/migrations", body(List.of("big"), "east", "west"));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(409);
        assertThat(refused.body().get("detail").asString()).contains("placeable " + expected + " of " + replicas);
        // forced in one batch: what really runs in the target is what was predicted; past the deadline it rolls back
        Map<String, Object> forced = with(with(with(with(body(List.of("big"), "east", "west"), "force", true), "batchSize", replicas),
                "batchDeadlineSeconds", 30), "onDeadline", "rollback");
        String mid = startMigration(forced);
        await("pods running in the target").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(300))
                .until(() -> stack.client(b).pods().inNamespace(ns).withLabel("app", "big").list().getItems().stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase())).count() == expected);
        assertThat(stack.client(b).pods().inNamespace(ns).withLabel("app", "big").list().getItems()).hasSize(replicas);
        JsonNode rolled = awaitState(mid, "rolled_back", Duration.ofSeconds(90));
        assertThat(rolled.get("history").toString()).contains("deadline: batch 1 of " + ns + "/big");
        assertThat(specReplicas(b, "big")).isZero();
        assertThat(specReplicas(a, "big")).isEqualTo(replicas);
        stack.client(a).apps().deployments().inNamespace(ns).withName("big").delete();
    }

    @Test
    @Order(4)
    void aNoahKilledMidBatchIsResumedByAnotherWithoutScalingTwice() {
        deploy(a, "kill", 6, "10m", Map.of());
        awaitReady(a, "kill", 6);
        awaitCached("kill");
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                try {
                    most.accumulateAndGet(Math.max(0, specReplicas(b, "kill")) + Math.max(0, specReplicas(a, "kill")), Math::max);
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        });
        String mid = startMigration(with(body(List.of("kill"), "east", "west"), "batchSize", 2));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> call("GET", "/api/v1/migrations/" + mid, null).body().get("moves").get(0).get("batch").asInt() >= 2);
        noah.kill9();
        int atKill = specReplicas(b, "kill");
        noah = startNoah("mig-2-" + id);
        JsonNode done = awaitState(mid, "succeeded", Duration.ofSeconds(120));
        watching.set(false);
        assertThat(specReplicas(a, "kill")).isZero();
        assertThat(specReplicas(b, "kill")).isEqualTo(6);
        // make-before-break allows one batch in flight on top of the app: never more than 6 + 2 desired replicas
        assertThat(most.get()).as("desired replicas east + west at the most (killed with %d in west)", atKill).isLessThanOrEqualTo(8);
        assertThat(done.get("moves").get(0).get("moved").asInt()).isEqualTo(6);
    }

    @Test
    @Order(5)
    void aSourceIdcThatDoesNotAnswerIsReconciledWhenItReturns() {
        deploy(a, "dr", 4, "10m", Map.of());
        deploy(b, "dr", 0, "10m", Map.of()); // the DR copy, kept at 0 in the other IDC
        awaitReady(a, "dr", 4);
        awaitCached("dr");
        await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", "/api/v1/deployments?namespace=" + ns + "&app=dr", null).body()
                .get("items").size() == 2);
        stack.stopApiServer(a);
        try {
            await("east unreachable for Noah").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !call("GET", "/api/v1/clusters/" + a, null).body().path("status").path("reachable").asBoolean(true));
            String mid = startMigration(with(body(List.of("dr"), "east", "west"), "batchSize", 2));
            JsonNode reconciling = awaitState(mid, "reconciling", Duration.ofSeconds(90));
            assertThat(specReplicas(b, "dr")).isEqualTo(4);
            awaitReady(b, "dr", 4);
            assertThat(reconciling.get("moves").get(0).get("reconcile").asBoolean()).isTrue();
            assertThat(reconciling.get("report").toString()).contains("\"toReconcile\":4");
            stack.startApiServer(a);
            JsonNode done = awaitState(mid, "succeeded", Duration.ofSeconds(120));
            assertThat(specReplicas(a, "dr")).isZero();
            assertThat(done.get("history").toString()).contains("reconciled");
        } finally {
            stack.startApiServer(a);
        }
    }

    @Test
    @Order(6)
    void badInputAndConflictsAreProblems() {
        deploy(a, "rel", 2, "10m", Map.of());
        awaitReady(a, "rel", 2);
        awaitCached("rel");
        assertThat(call("POST", "/api/v1/migrations", body(List.of("rel"), "east", "east")).code()).isEqualTo("invalid-argument");
        assertThat(call("POST", "/api/v1/migrations", body(List.of("rel"), "east", "north")).code()).isEqualTo("unknown-pool");
        assertThat(call("POST", "/api/v1/migrations", body(List.of("nope"), "east", "west")).code()).isEqualTo("unknown-app");
        Map<String, Object> neither = body(List.of(), "east", "west");
        assertThat(call("POST", "/api/v1/migrations", neither).code()).isEqualTo("invalid-argument");
        assertThat(call("POST", "/api/v1/migrations", with(body(List.of("rel"), "east", "west"), "onDeadline", "panic")).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/migrations/mig-nope", null).status()).isEqualTo(404);
        // an app with an active release is refused, and a release of an app being migrated too
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("app", "rel");
        release.put("namespace", ns);
        release.put("version", "v2");
        release.put("images", Map.of("main", "registry.local/rel:2"));
        release.put("pools", List.of(a));
        release.put("batches", List.of(1, 1));
        release.put("reason", "CHG-2");
        var r = call("POST", "/api/v1/releases", release);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        var refused = call("POST", "/api/v1/migrations", body(List.of("rel"), "east", "west"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body().get("detail").asString()).contains("active release");
        assertThat(call("POST", "/api/v1/releases/" + r.body().get("id").asString() + "/abort", Map.of("reason", "drill")).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> call("POST", "/api/v1/migrations", with(body(List.of("rel"), "east", "west"), "dryRun", true))
                .status() == 200 && call("GET", "/api/v1/releases/" + r.body().get("id").asString(), null).body().get("state").asString()
                .matches("aborted|rolled_back|failed"));
        String mid = startMigration(with(body(List.of("rel"), "east", "west"), "batchSize", 1));
        var paused = call("POST", "/api/v1/migrations/" + mid + "/pause", Map.of("reason", "look first"));
        assertThat(paused.status()).as(paused.raw()).isEqualTo(200);
        // the autoscaler does not touch an app being migrated: its decisions say so
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("app", "rel");
        policy.put("namespace", ns);
        policy.put("pools", Map.of(a, Map.of("min", 1, "max", 10)));
        policy.put("strategies", List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)));
        policy.put("mode", "enforce");
        policy.put("reason", "CAP-16");
        var created = call("POST", "/api/v1/autoscalers", policy);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String pid = created.body().get("id").asString();
        JsonNode frozen = await("a frozen decision").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> call("GET", "/api/v1/autoscalers/" + pid, null).body().get("latest"), l -> l.size() > 0).get(0);
        // no metrics for it here, so no change to refuse: the decision says why nothing may be written
        assertThat(frozen.get("frozen").asString()).isEqualTo("migration " + mid + " owns the replica counts until it ends");
        assertThat(frozen.get("applied").asBoolean()).isFalse();
        assertThat(call("DELETE", "/api/v1/autoscalers/" + pid, null).status()).isEqualTo(204);
        var blocked = call("POST", "/api/v1/releases", release);
        assertThat(blocked.status()).isEqualTo(409);
        assertThat(blocked.body().get("detail").asString()).contains("being migrated");
        assertThat(call("POST", "/api/v1/migrations", body(List.of("rel"), "east", "west")).body().get("detail").asString())
                .contains("already being migrated");
        assertThat(call("POST", "/api/v1/migrations/" + mid + "/reverse", Map.of()).status()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/migrations/" + mid + "/abort", Map.of("reason", "drill over")).body().get("state").asString())
                .isEqualTo("aborted");
        String viewer = shared.sendTo(noah.port(), "POST", "/api/v1/tokens", ADMIN_TOKEN, Map.of("name", "mig-viewer", "role", "VIEWER"))
                .body().get("token").asString();
        assertThat(shared.sendTo(noah.port(), "POST", "/api/v1/migrations", viewer, body(List.of("rel"), "east", "west")).status()).isEqualTo(403);
    }
}
