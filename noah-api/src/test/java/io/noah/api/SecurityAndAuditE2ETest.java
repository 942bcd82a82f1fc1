package io.noah.api;

import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** 401 without or with a bad token, 403 without the role, for each role; every mutating call audited. */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityAndAuditE2ETest {

    private NoahServer noah;
    private final Map<String, String> tokens = new java.util.LinkedHashMap<>();
    private final String suffix = UUID.randomUUID().toString().substring(0, 6);

    @BeforeAll
    void start() {
        noah = NoahServer.get();
        tokens.put("admin", ADMIN_TOKEN);
        tokens.put("ops", noah.token("ops-" + suffix, "OPS", null));
        tokens.put("developer", noah.token("dev-" + suffix, "DEVELOPER", Set.of("shop")));
        tokens.put("viewer", noah.token("viewer-" + suffix, "VIEWER", null));
    }

    private int status(String method, String path, String token, Object body) {
        return noah.send(method, path, token, body).status();
    }

    @Test
    void withoutOrWithABadTokenEverythingButHealthIs401() throws Exception {
        assertThat(noah.get("/actuator/health", null).status()).isEqualTo(200);
        assertThat(noah.get("/actuator/health", null).body().get("components")).as("no detail without a token").isNull();
        for (String path : List.of("/api/v1/clusters", "/api/v1/pods", "/api/v1/deployments", "/api/v1/nodes", "/api/v1/apps",
                "/api/v1/audit", "/api/v1/tokens", "/v3/api-docs", "/actuator/prometheus")) {
            var none = noah.get(path, null);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.code()).isEqualTo("unauthenticated");
            assertThat(none.http().headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(noah.get(path, "not-a-token").status()).as(path).isEqualTo(401);
        }
        assertThat(noah.sendRaw("GET", "/api/v1/pods", null, null, "application/json").status()).isEqualTo(401);
        var basic = noah.http().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/pods"))
                .header("Authorization", "Basic YWRtaW46YWRtaW4=").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(status("POST", "/api/v1/clusters", null, Map.of("name", "x"))).isEqualTo(401);
    }

    @Test
    void roleMatrix() {
        // reads: every role
        for (String role : tokens.keySet()) {
            assertThat(noah.get("/api/v1/pods?limit=1", tokens.get(role)).status()).as(role).isEqualTo(200);
            assertThat(noah.get("/api/v1/clusters", tokens.get(role)).status()).as(role).isEqualTo(200);
        }
        // audit: admin and ops
        assertThat(noah.get("/api/v1/audit", tokens.get("admin")).status()).isEqualTo(200);
        assertThat(noah.get("/api/v1/audit", tokens.get("ops")).status()).isEqualTo(200);
        assertThat(noah.get("/api/v1/audit", tokens.get("developer")).status()).isEqualTo(403);
        assertThat(noah.get("/api/v1/audit", tokens.get("viewer")).code()).isEqualTo("forbidden");
        // tokens: admin only
        assertThat(noah.get("/api/v1/tokens", tokens.get("admin")).status()).isEqualTo(200);
        for (String role : List.of("ops", "developer", "viewer")) {
            assertThat(noah.get("/api/v1/tokens", tokens.get(role)).status()).as(role).isEqualTo(403);
            assertThat(status("POST", "/api/v1/tokens", tokens.get(role), Map.of("name", "x", "role", "ADMIN"))).as(role).isEqualTo(403);
        }
        // cluster writes: admin and ops (ops reaches validation: 400 for an empty body), not developer or viewer
        assertThat(status("POST", "/api/v1/clusters", tokens.get("ops"), Map.of())).isEqualTo(400);
        assertThat(status("POST", "/api/v1/clusters", tokens.get("developer"), Map.of())).isEqualTo(403);
        assertThat(status("POST", "/api/v1/clusters", tokens.get("viewer"), Map.of())).isEqualTo(403);
        assertThat(status("DELETE", "/api/v1/clusters/nope", tokens.get("viewer"), null)).isEqualTo(403);
        assertThat(status("PATCH", "/api/v1/clusters/nope", tokens.get("developer"), Map.of("maintenance", true))).isEqualTo(403);
        assertThat(status("PATCH", "/api/v1/clusters/nope", tokens.get("ops"), Map.of("maintenance", true))).isEqualTo(404);
        // scale: viewer never; developer only its apps (the scaler checks the Deployment's app in the cache)
        String cluster = noah.stack().clusters().getFirst();
        String path = "/api/v1/clusters/" + cluster + "/namespaces/default/deployments/not-there/scale";
        assertThat(status("PUT", path, tokens.get("viewer"), Map.of("replicas", 1))).isEqualTo(403);
        assertThat(status("PUT", path, tokens.get("developer"), Map.of("replicas", 1))).as("not its app").isEqualTo(403);
        assertThat(status("PUT", path, tokens.get("ops"), Map.of("replicas", 1))).isEqualTo(404);
    }

    @Test
    void aDeveloperScalesAndReleasesItsOwnAppAndIsRefusedOnAnotherThatExists() {
        String cluster = noah.stack().clusters().getFirst();
        var k = noah.stack().client(cluster);
        String ns = io.noah.cluster.testing.LocalStack.createNamespace(k, "scope-" + suffix);
        try {
            for (String app : List.of("shop", "payroll")) {
                k.apps().deployments().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                        .withNewMetadata().withName(app).addToLabels("app", app).endMetadata()
                        .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", app).endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata()
                        .withNewSpec().addNewContainer().withName("main").withImage("registry.local/" + app + ":1").endContainer()
                        .endSpec().endTemplate().endSpec().build()).create();
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    noah.get("/api/v1/deployments?namespace=" + ns, ADMIN_TOKEN).body().get("items").size() == 2);
            String dev = tokens.get("developer"); // scoped to app "shop"
            String base = "/api/v1/clusters/" + cluster + "/namespaces/" + ns + "/deployments/";
            var own = noah.send("PUT", base + "shop/scale", dev, Map.of("replicas", 3, "reason", "more shop"));
            assertThat(own.status()).as(own.raw()).isEqualTo(200);
            assertThat(own.body().get("previousReplicas").asInt()).isEqualTo(2);
            var other = noah.send("PUT", base + "payroll/scale", dev, Map.of("replicas", 3));
            assertThat(other.status()).as("payroll exists, but is not the developer's app").isEqualTo(403);
            assertThat(other.code()).isEqualTo("forbidden");
            assertThat(k.apps().deployments().inNamespace(ns).withName("payroll").get().getSpec().getReplicas()).isEqualTo(2);

            Map<String, Object> release = new java.util.LinkedHashMap<>(Map.of("namespace", ns, "version", "v2",
                    "pools", List.of(cluster), "batches", List.of(1, 2), "reason", "developer release"));
            release.put("app", "shop");
            release.put("images", Map.of("main", "registry.local/shop:2"));
            var started = noah.post("/api/v1/releases", dev, release);
            assertThat(started.status()).as(started.raw()).isEqualTo(201);
            String id = started.body().get("id").asString();
            assertThat(noah.post("/api/v1/releases/" + id + "/abort", dev, Map.of("reason", "done")).status()).isEqualTo(200);
            release.put("app", "payroll");
            release.put("images", Map.of("main", "registry.local/payroll:2"));
            var refused = noah.post("/api/v1/releases", dev, release);
            assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
        } finally {
            k.namespaces().withName(ns).delete();
        }
    }

    @Test
    void revokedTokensStopWorking() {
        var created = noah.post("/api/v1/tokens", ADMIN_TOKEN, Map.of("name", "short-lived-" + suffix, "role", "VIEWER"));
        String token = created.body().get("token").asString();
        String id = created.body().get("id").asString();
        assertThat(noah.get("/api/v1/pods?limit=1", token).status()).isEqualTo(200);
        assertThat(noah.send("DELETE", "/api/v1/tokens/" + id, ADMIN_TOKEN, null).status()).isEqualTo(204);
        assertThat(noah.get("/api/v1/pods?limit=1", token).status()).isEqualTo(401);
        JsonNode list = noah.get("/api/v1/tokens", ADMIN_TOKEN).body();
        assertThat(list.toString()).doesNotContain(token).doesNotContain("tokenHash");
    }

    @Test
    void everyMutatingCallIsAuditedWithActorOutcomeAndReason() {
        String opsName = "ops-" + suffix;
        String target = "/api/v1/clusters/audit-" + suffix;
        noah.send("PATCH", target, tokens.get("ops"), Map.of("maintenance", true, "reason", "planned work " + suffix));
        noah.send("DELETE", target, tokens.get("viewer"), null);
        noah.send("DELETE", target, null, null);
        JsonNode rows = noah.get("/api/v1/audit?target=" + "audit-" + suffix, ADMIN_TOKEN).body();
        List<String> seen = new ArrayList<>();
        rows.forEach(r -> seen.add(r.get("actor").asString() + " " + r.get("action").asString() + " " + r.get("outcome").asInt()
                + (r.get("reason").isNull() ? "" : " " + r.get("reason").asString())));
        assertThat(seen).containsExactlyInAnyOrder(
                opsName + " PATCH /api/v1/clusters/{name} 404 planned work " + suffix,
                "viewer-" + suffix + " DELETE " + target + " 403",
                "anonymous DELETE " + target + " 401");
        JsonNode mine = noah.get("/api/v1/audit?actor=" + opsName, ADMIN_TOKEN).body();
        assertThat(mine).isNotEmpty().allSatisfy(r -> assertThat(r.get("actor").asString()).isEqualTo(opsName));
        // token creation in @BeforeAll was audited too
        JsonNode creations = noah.get("/api/v1/audit?actor=bootstrap&target=/api/v1/tokens", ADMIN_TOKEN).body();
        assertThat(creations.size()).isGreaterThanOrEqualTo(3);
        assertThat(noah.get("/api/v1/audit?since=yesterday", ADMIN_TOKEN).code()).isEqualTo("invalid-argument");
    }
}
