package io.noah.api;

import io.noah.cluster.testing.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Canary batch releases through the REST API, on two real clusters (each a deploy pool). */
class ReleaseE2ETest extends TwoClustersE2E {

    ReleaseE2ETest() {
        super("rel");
    }

    @AfterAll
    void cleanUp() {
        // a test that failed half-way leaves its release active: it would stay with the instances of later tests
        noah.get("/api/v1/releases?limit=1000", ADMIN_TOKEN).body().forEach(r -> {
            if (r.get("namespace").asString().equals(ns) && !java.util.Set.of("succeeded", "rolled_back", "aborted")
                    .contains(r.get("state").asString())) {
                noah.post("/api/v1/releases/" + r.get("id").asString() + "/abort", ADMIN_TOKEN, Map.of("reason", "test clean-up"));
            }
        });
    }

    private void deploy(String cluster, String app, int replicas) {
        KubernetesClient k = stack.client(cluster);
        k.apps().deployments().inNamespace(ns).resource(Workloads.deployment(app, replicas, Map.of("version", "v1"))).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> Workloads.readyReplicas(k, ns, app) == replicas);
    }

    private Map<String, Object> release(String app, List<String> pools, List<Integer> batches) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", app);
        body.put("namespace", ns);
        body.put("version", "v2");
        body.put("images", Map.of("main", "registry.local/" + app + ":2"));
        body.put("pools", pools);
        body.put("batches", batches);
        body.put("reason", "ticket CHG-1");
        return body;
    }

    /** desired/ready of a Deployment in Kubernetes, "-" when it does not exist. */
    private String counts(String cluster, String name) {
        Deployment d = stack.client(cluster).apps().deployments().inNamespace(ns).withName(name).get();
        if (d == null) {
            return "-";
        }
        Integer ready = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        return d.getSpec().getReplicas() + "/" + (ready == null ? 0 : ready);
    }

    private JsonNode get(String id) {
        return noah.get("/api/v1/releases/" + id, ADMIN_TOKEN).body();
    }

    private void awaitState(String id, String state, int step) {
        await("release " + id + " " + state + " at step " + step).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode r = get(id);
                    return r.get("state").asString().equals(state) && r.get("step").asInt() == step;
                });
    }

    /** running desired/ready and canary desired/ready, as Kubernetes has them. */
    private void expect(String cluster, String app, String running, String canary) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(counts(cluster, app)).as(cluster + " running").isEqualTo(running);
            assertThat(counts(cluster, app + "-v2")).as(cluster + " canary").isEqualTo(canary);
        });
    }

    private NoahServer.Response act(String id, String action, Map<String, Object> body) {
        return noah.post("/api/v1/releases/" + id + "/" + action, ADMIN_TOKEN, body);
    }

    /** POST /api/v1/releases, which must answer 201. */
    private NoahServer.Response start(Map<String, Object> body) {
        var created = noah.post("/api/v1/releases", ADMIN_TOKEN, body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return created;
    }

    @Test
    void batchesOneFourFiveInTwoPoolsThenTheOldDeploymentsAreGone() {
        deploy(a, "checkout", 10);
        deploy(b, "checkout", 10);
        Map<String, Object> body = release("checkout", List.of(a, b), List.of(1, 4, 5));
        body.put("env", Map.of("main", Map.of("FEATURE_X", "on")));
        body.put("resources", Map.of("main", Map.of("requests", Map.of("cpu", "250m", "memory", "256Mi"), "limits", Map.of("memory", "512Mi"))));
        var created = start(body);
        String id = created.body().get("id").asString();
        assertThat(created.body().get("lastStep").asInt()).isEqualTo(6);

        String[][] expected = {
                {"9/9", "1/1", "10/10", "-"}, {"5/5", "5/5", "10/10", "-"}, {"0/0", "10/10", "10/10", "-"},
                {"0/0", "10/10", "9/9", "1/1"}, {"0/0", "10/10", "5/5", "5/5"}};
        for (int step = 1; step <= 5; step++) {
            awaitState(id, "waiting", step);
            String[] e = expected[step - 1];
            expect(a, "checkout", e[0], e[1]);
            expect(b, "checkout", e[2], e[3]);
            JsonNode view = get(id);
            assertThat(view.get("pools").get(0).get("targetCanary").asInt()).isEqualTo(Integer.parseInt(e[1].split("/")[0]));
            var promoted = act(id, "promote", Map.of("reason", "batch " + step + " looks good"));
            assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
        }
        awaitState(id, "succeeded", 6);
        for (String c : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> counts(c, "checkout").equals("-"));
            assertThat(counts(c, "checkout-v2")).isEqualTo("10/10");
            await().atMost(Duration.ofSeconds(60)).until(() -> stack.client(c).pods().inNamespace(ns).withLabel("app", "checkout")
                    .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).count() == 10);
            assertThat(stack.client(c).pods().inNamespace(ns).withLabel("app", "checkout").list().getItems())
                    .filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .hasSize(10)
                    .allSatisfy(p -> {
                        assertThat(p.getMetadata().getLabels()).containsEntry("version", "v2");
                        var main = p.getSpec().getContainers().getFirst();
                        assertThat(main.getImage()).isEqualTo("registry.local/checkout:2");
                        assertThat(main.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("FEATURE_X=on"));
                        assertThat(main.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
                        assertThat(main.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
                    });
        }
        List<String> history = new ArrayList<>();
        get(id).get("history").forEach(h -> history.add(h.get("type").asString() + " by " + h.get("actor").asString()));
        assertThat(history).contains("created by bootstrap", "promoted by bootstrap");
        assertThat(history).anyMatch(h -> h.startsWith("succeeded by noah@"));
        assertThat(history.stream().filter(h -> h.startsWith("promoted"))).hasSize(5);
        // promotes are audited with their reason
        JsonNode audit = noah.get("/api/v1/audit?target=/api/v1/releases/" + id, ADMIN_TOKEN).body();
        assertThat(audit.toString()).contains("batch 1 looks good", "POST /api/v1/releases/{id}/promote");
    }

    @Test
    void onePlanSpanningTwoPoolsWithAnAutomaticGateAndItsEventStream() throws Exception {
        deploy(a, "catalog", 5);
        deploy(b, "catalog", 5);
        Map<String, Object> body = release("catalog", List.of(a, b), List.of(1, 2, 2, 2, 3));
        body.put("spanPools", true);
        body.put("gate", "auto");
        body.put("autoGateAfterSeconds", 1);
        var created = start(body);
        String id = created.body().get("id").asString();
        List<List<Integer>> plan = new ArrayList<>();
        created.body().get("plan").forEach(step -> plan.add(List.of(step.get(0).asInt(), step.get(1).asInt())));
        assertThat(plan).containsExactly(List.of(0, 0), List.of(1, 0), List.of(3, 0), List.of(5, 0), List.of(5, 2), List.of(5, 5));
        // the event stream: every transition as it happens, closed when the release ends
        var sse = noah.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + noah.port() + "/api/v1/releases/" + id + "/events"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(90)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        long batches = sse.body().lines().filter(l -> l.startsWith("data:") && l.contains("\"type\":\"batch-done\"")).count();
        assertThat(batches).isEqualTo(4);
        assertThat(sse.body()).contains("event:transition", "\"type\":\"succeeded\"");
        assertThat(get(id).get("state").asString()).isEqualTo("succeeded");
        expect(a, "catalog", "-", "5/5");
        expect(b, "catalog", "-", "5/5");
    }

    @Test
    void aPercentagePlanAndTheOldDeploymentDeletedAfterADelay() {
        deploy(a, "reviews", 4);
        Map<String, Object> body = release("reviews", List.of(a), List.of(25, 75));
        body.put("batchUnit", "percent");
        body.put("deleteOldAfterSeconds", 2);
        var created = start(body);
        String id = created.body().get("id").asString();
        awaitState(id, "waiting", 1);
        expect(a, "reviews", "3/3", "1/1");
        act(id, "promote", Map.of());
        // last batch done: the old Deployment (at 0) stays for the delay, then goes
        await().atMost(Duration.ofSeconds(30)).until(() -> get(id).get("step").asInt() == 2);
        long lastBatchDone = System.nanoTime();
        assertThat(get(id).get("state").asString()).isEqualTo("running");
        assertThat(get(id).get("reason").asString()).contains("deleting the old Deployments after PT2S");
        assertThat(counts(a, "reviews")).isEqualTo("0/0");
        awaitState(id, "succeeded", 2);
        assertThat(Duration.ofNanos(System.nanoTime() - lastBatchDone)).isGreaterThan(Duration.ofMillis(1500));
        expect(a, "reviews", "-", "4/4");
    }

    @Test
    void anAppWithoutADeploymentIsCreatedInBatches() {
        Map<String, Object> body = release("fresh", List.of(b), List.of(1, 2));
        var refused = noah.post("/api/v1/releases", ADMIN_TOKEN, body);
        assertThat(refused.code()).isEqualTo("not-found");
        assertThat(refused.body().get("detail").asString()).contains("give replicas");
        body.put("replicas", 3);
        var created = start(body);
        String id = created.body().get("id").asString();
        awaitState(id, "waiting", 1);
        expect(b, "fresh", "-", "1/1");
        assertThat(get(id).get("pools").get(0).get("running").isNull()).isTrue();
        act(id, "promote", Map.of());
        awaitState(id, "succeeded", 2);
        expect(b, "fresh", "-", "3/3");
        Deployment d = stack.client(b).apps().deployments().inNamespace(ns).withName("fresh-v2").get();
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "fresh").containsEntry("version", "v2");
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo("registry.local/fresh:2");
    }

    @Test
    void rollbackReturnsBatchByBatchAndFastRollbackInOneStep() {
        deploy(a, "cart", 10);
        String id = noah.post("/api/v1/releases", ADMIN_TOKEN, release("cart", List.of(a), List.of(1, 4, 5))).body().get("id").asString();
        awaitState(id, "waiting", 1);
        act(id, "promote", Map.of());
        awaitState(id, "waiting", 2);
        expect(a, "cart", "5/5", "5/5");
        assertThat(act(id, "rollback", Map.of("reason", "errors up")).status()).isEqualTo(200);
        awaitState(id, "rolled_back", 0);
        expect(a, "cart", "10/10", "-");
        List<String> steps = new ArrayList<>();
        get(id).get("history").forEach(h -> steps.add(h.get("type").asString() + "@" + h.get("step").asInt()));
        assertThat(steps).containsSubsequence("rollback@2", "rolled-back-step@2", "rolled-back-step@1", "rolled-back@0");

        String fast = noah.post("/api/v1/releases", ADMIN_TOKEN, release("cart", List.of(a), List.of(1, 4, 5))).body().get("id").asString();
        awaitState(fast, "waiting", 1);
        act(fast, "promote", Map.of());
        awaitState(fast, "waiting", 2);
        assertThat(act(fast, "rollback", Map.of("fast", true, "reason", "now")).status()).isEqualTo(200);
        awaitState(fast, "rolled_back", 0);
        expect(a, "cart", "10/10", "-");
        List<String> fastSteps = new ArrayList<>();
        get(fast).get("history").forEach(h -> fastSteps.add(h.get("type").asString()));
        assertThat(fastSteps).doesNotContain("rolled-back-step").contains("rollback-fast", "rolled-back");
    }

    @Test
    void oneActiveReleasePerAppAndGateActionsCheckTheState() {
        deploy(a, "search", 4);
        String id = noah.post("/api/v1/releases", ADMIN_TOKEN, release("search", List.of(a), List.of(2, 2))).body().get("id").asString();
        var second = noah.post("/api/v1/releases", ADMIN_TOKEN, release("search", List.of(a), List.of(2, 2)));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.code()).isEqualTo("conflict");
        awaitState(id, "waiting", 1);
        assertThat(act(id, "resume", Map.of()).code()).isEqualTo("conflict");
        assertThat(act(id, "pause", Map.of("reason", "lunch")).status()).isEqualTo(200);
        assertThat(act(id, "promote", Map.of()).status()).isEqualTo(409);
        assertThat(act(id, "resume", Map.of()).status()).isEqualTo(200);
        assertThat(act(id, "explode", Map.of()).code()).isEqualTo("no-such-endpoint");
        assertThat(act(id, "abort", Map.of("reason", "not today")).status()).isEqualTo(200);
        assertThat(get(id).get("state").asString()).isEqualTo("aborted");
        assertThat(noah.get("/api/v1/releases?app=search&state=aborted", ADMIN_TOKEN).body()).hasSize(1);
    }

    @Test
    void aReplicaChangeOutsideNoahPausesTheRelease() {
        deploy(a, "profile", 6);
        String id = noah.post("/api/v1/releases", ADMIN_TOKEN, release("profile", List.of(a), List.of(2, 4))).body().get("id").asString();
        awaitState(id, "waiting", 1);
        stack.client(a).apps().deployments().inNamespace(ns).withName("profile").scale(7);
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).get("state").asString().equals("paused"));
        assertThat(get(id).get("reason").asString()).contains("changed outside Noah", "found 7");
        act(id, "abort", Map.of());
    }

    @Test
    void aCanaryDeletedByHandWhileTheReleaseWaitsAtAGatePausesItNamingTheDeployment() {
        deploy(a, "basket", 10);
        deploy(b, "basket", 10);
        String id = start(release("basket", List.of(a, b), List.of(1, 4, 5))).body().get("id").asString();
        awaitState(id, "waiting", 1);
        act(id, "promote", Map.of("reason", "batch 1 fine"));
        awaitState(id, "waiting", 2);
        expect(a, "basket", "5/5", "5/5");
        stack.client(a).apps().deployments().inNamespace(ns).withName("basket-v2").delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).get("state").asString().equals("paused"));
        assertThat(get(id).get("reason").asString()).contains("canary Deployment basket-v2 was deleted outside Noah", "pool " + a);
        assertThat(counts(a, "basket")).as("Noah did not touch the running Deployment").isEqualTo("5/5");
        // resuming accepts the world as it is: the canary is created again at the step's target
        assertThat(act(id, "resume", Map.of("reason", "recreate it")).status()).isEqualTo(200);
        awaitState(id, "waiting", 2);
        expect(a, "basket", "5/5", "5/5");
        act(id, "abort", Map.of());
    }

    @Test
    void aPodTemplateChangedByHandPausesTheReleaseNamingTheChange() {
        deploy(a, "tmpl", 4);
        String id = start(release("tmpl", List.of(a), List.of(2, 2))).body().get("id").asString();
        awaitState(id, "waiting", 1);
        // kubectl set env on the running Deployment
        // strategic merge patches, as kubectl sends them: no resourceVersion, so the controllers' status writes
        // cannot make them fail with 409 as a read-modify-write edit can
        stack.client(a).apps().deployments().inNamespace(ns).withName("tmpl").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"env\":[{\"name\":\"DEBUG\",\"value\":\"1\"}]}]}}}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).get("state").asString().equals("paused"));
        assertThat(get(id).get("reason").asString())
                .contains("pod template of running tmpl was changed outside Noah", "env of container main", "pool " + a);
        assertThat(act(id, "resume", Map.of("reason", "the env change is fine")).status()).isEqualTo(200);
        awaitState(id, "waiting", 1);
        // kubectl set image on the canary
        stack.client(a).apps().deployments().inNamespace(ns).withName("tmpl-v2").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"registry.local/tmpl:9\"}]}}}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> get(id).get("state").asString().equals("paused"));
        assertThat(get(id).get("reason").asString())
                .contains("pod template of canary tmpl-v2", "image of container main: registry.local/tmpl:2 → registry.local/tmpl:9");
        act(id, "abort", Map.of());
    }

    @Test
    void eventStreamsAreCappedPerInstance() throws Exception {
        deploy(b, "streams", 2);
        String id = start(release("streams", List.of(b), List.of(1, 1))).body().get("id").asString();
        awaitState(id, "waiting", 1);
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/releases/" + id
                + "/events")).header("Authorization", "Bearer " + ADMIN_TOKEN).header("Accept", "text/event-stream").build();
        List<java.net.http.HttpResponse<java.io.InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < NoahServer.MAX_EVENT_STREAMS; i++) {
                var r = noah.http().send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).isEqualTo(200);
                open.add(r);
            }
            var refused = noah.http().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.body()).contains("\"code\":\"too-many-requests\"");
        } finally {
            act(id, "abort", Map.of("reason", "streams end with the release"));
            for (var r : open) {
                r.body().readAllBytes(); // each stream ends when the release does
                r.body().close();
            }
        }
        await("a stream slot free again").atMost(Duration.ofSeconds(10))
                .until(() -> noah.http().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    @Test
    void aCanaryThatNeverGetsReadyPausesAtTheDeadlineKeepingCapacity() {
        deploy(a, "orders", 4);
        Map<String, Object> body = release("orders", List.of(a), List.of(1, 3));
        body.put("images", Map.of("main", "registry.local/never-ready")); // the stack never makes these pods Ready
        body.put("batchDeadlineSeconds", 5);
        String id = noah.post("/api/v1/releases", ADMIN_TOKEN, body).body().get("id").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> get(id).get("state").asString().equals("paused"));
        assertThat(get(id).get("reason").asString()).contains("did not finish within PT5S", "canary pods ready 0/1");
        assertThat(counts(a, "orders")).as("the running Deployment was never scaled down").isEqualTo("4/4");
        assertThat(get(id).get("step").asInt()).isZero();
        assertThat(act(id, "rollback", Map.of("fast", true)).status()).isEqualTo(200);
        awaitState(id, "rolled_back", 0);
        expect(a, "orders", "4/4", "-");
    }

    @Test
    void aCanaryThatNeverGetsReadyIsRolledBackAtTheDeadlineWhenSoConfigured() {
        deploy(b, "billing", 4);
        Map<String, Object> body = release("billing", List.of(b), List.of(2, 2));
        body.put("images", Map.of("main", "registry.local/never-ready"));
        body.put("batchDeadlineSeconds", 5);
        body.put("onDeadline", "rollback");
        String id = noah.post("/api/v1/releases", ADMIN_TOKEN, body).body().get("id").asString();
        awaitState(id, "rolled_back", 0);
        expect(b, "billing", "4/4", "-");
        List<String> types = new ArrayList<>();
        get(id).get("history").forEach(h -> types.add(h.get("type").asString()));
        assertThat(types).containsSubsequence("created", "deadline-rollback", "rolled-back");
        assertThat(get(id).get("reason").asString()).contains("did not finish within");
    }

    @Test
    void badPlansAreRefused() {
        deploy(b, "ledger", 10);
        record Case(List<Integer> batches, List<String> pools, int status, String code) {
        }
        for (Case c : List.of(
                new Case(List.of(1, 4, 4), List.of(b), 400, "invalid-argument"),
                new Case(List.of(0, 10), List.of(b), 400, "validation-failed"),
                new Case(List.of(-1, 11), List.of(b), 400, "validation-failed"),
                new Case(List.of(10), List.of("no-such-pool"), 400, "unknown-pool"),
                new Case(java.util.Collections.nCopies(51, 1), List.of(b), 400, "validation-failed"))) {
            var r = noah.post("/api/v1/releases", ADMIN_TOKEN, release("ledger", c.pools(), c.batches()));
            assertThat(r.status()).as(c + " " + r.raw()).isEqualTo(c.status());
            assertThat(r.code()).as(c + " " + r.raw()).isEqualTo(c.code());
        }
        assertThat(noah.post("/api/v1/releases", ADMIN_TOKEN, release("nothing-here", List.of(b), List.of(1))).code()).isEqualTo("not-found");
        Map<String, Object> badResources = release("ledger", List.of(b), List.of(5, 5));
        badResources.put("resources", Map.of("main", Map.of("requests", Map.of("cpu", "lots"))));
        var badQuantity = noah.post("/api/v1/releases", ADMIN_TOKEN, badResources);
        assertThat(badQuantity.status()).isEqualTo(400);
        assertThat(badQuantity.body().get("detail").asString()).contains("'lots' is not a quantity for cpu");
        // a pool in maintenance is never touched
        assertThat(noah.send("PATCH", "/api/v1/clusters/" + b, ADMIN_TOKEN, Map.of("maintenance", true)).status()).isEqualTo(200);
        try {
            var r = noah.post("/api/v1/releases", ADMIN_TOKEN, release("ledger", List.of(b), List.of(5, 5)));
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.code()).isEqualTo("cluster-in-maintenance");
        } finally {
            noah.send("PATCH", "/api/v1/clusters/" + b, ADMIN_TOKEN, Map.of("maintenance", false));
        }
    }
}
