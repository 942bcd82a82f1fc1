package io.noah.api;

import io.noah.cluster.testing.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The registry and the cached reads, end to end through the REST API on two real clusters. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRegistryE2ETest extends TwoClustersE2E {

    ClusterRegistryE2ETest() {
        super("e2e");
    }

    @BeforeAll
    void workloads() {
        // in each cluster: app "shop" (3 pods, tier=web) and app "pay" (2 pods, tier=api) in one namespace
        for (String c : List.of(a, b)) {
            KubernetesClient k = stack.client(c);
            k.apps().deployments().inNamespace(ns).resource(deployment("shop", 3, "web")).create();
            k.apps().deployments().inNamespace(ns).resource(deployment("pay", 2, "api")).create();
        }
    }

    private static io.fabric8.kubernetes.api.model.apps.Deployment deployment(String app, int replicas, String tier) {
        return Workloads.deployment(app, replicas, app.equals("shop") ? Map.of("tier", tier, "canary", "no") : Map.of("tier", tier));
    }

    private List<JsonNode> pods(String query) {
        JsonNode body = noah.get("/api/v1/pods?namespace=" + ns + (query.isEmpty() ? "" : "&" + query), ADMIN_TOKEN).body();
        List<JsonNode> out = new ArrayList<>();
        body.get("items").forEach(out::add);
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void bothClustersAreRegisteredOneByKubeconfigOneByToken() {
        JsonNode list = noah.get("/api/v1/clusters", ADMIN_TOKEN).body();
        assertThat(list).hasSizeGreaterThanOrEqualTo(2);
        JsonNode ca = noah.get("/api/v1/clusters/" + a, ADMIN_TOKEN).body();
        JsonNode cb = noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body();
        assertThat(ca.get("connection").get("kind").asString()).isEqualTo("kubeconfig");
        assertThat(cb.get("connection").get("kind").asString()).isEqualTo("token");
        assertThat(cb.get("connection").get("server").asString()).isEqualTo(stack.server(b));
        assertThat(cb.toString()).doesNotContain(stack.token(b));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode s = noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body().get("status");
            return s.get("reachable").asBoolean() && s.get("cacheSynced").asBoolean();
        });
        JsonNode status = noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body().get("status");
        assertThat(status.get("kubernetesVersion").asString()).isEqualTo("v1.36.3");
        assertThat(status.get("nodes").asInt()).isEqualTo(5);
        assertThat(cb.get("idc").asString()).isEqualTo(stack.idc(b));
        assertThat(cb.get("pool").asString()).isEqualTo(b);
    }

    @Test
    @Order(2)
    void podsAndDeploymentsCreatedInKubernetesAppearWithinTwoSecondsOfBeingReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> pods("ready=true").size() == 10);
        // a new Deployment: visible through Noah within 2 s of Kubernetes reporting it
        KubernetesClient k = stack.client(a);
        k.apps().deployments().inNamespace(ns).resource(deployment("late", 1, "batch")).create();
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> noah.get("/api/v1/deployments?namespace=" + ns + "&app=late", ADMIN_TOKEN).body().get("items").size() == 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> k.pods().inNamespace(ns).withLabel("app", "late").list().getItems().size() == 1);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> pods("app=late").size() == 1);
        System.out.printf("deployment+pod visible through Noah %d ms after creation%n", (System.nanoTime() - t0) / 1_000_000);
        // and gone after deletion
        k.apps().deployments().inNamespace(ns).withName("late").delete();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> noah.get("/api/v1/deployments?namespace=" + ns + "&app=late", ADMIN_TOKEN).body().get("items").isEmpty());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> pods("app=late").isEmpty());
    }

    @Test
    @Order(3)
    void eachFilterReturnsExactlyTheExpectedPods() {
        assertThat(pods("")).hasSize(10);
        assertThat(pods("cluster=" + a)).hasSize(5).allSatisfy(p -> assertThat(p.get("cluster").asString()).isEqualTo(a));
        assertThat(pods("cluster=" + a + "," + b)).hasSize(10);
        assertThat(pods("idc=" + stack.idc(a))).hasSize(stack.idc(a).equals(stack.idc(b)) ? 10 : 5);
        assertThat(pods("idc=nowhere")).isEmpty();
        assertThat(pods("app=shop")).hasSize(6);
        assertThat(pods("labelSelector=" + enc("tier=web"))).hasSize(6);
        assertThat(pods("labelSelector=" + enc("tier==api"))).hasSize(4);
        assertThat(pods("labelSelector=" + enc("tier!=web"))).hasSize(4);
        assertThat(pods("labelSelector=" + enc("tier in (web,api)"))).hasSize(10);
        assertThat(pods("labelSelector=" + enc("tier notin (web)"))).hasSize(4);
        assertThat(pods("labelSelector=" + enc("canary"))).hasSize(6);
        assertThat(pods("labelSelector=" + enc("!canary"))).hasSize(4);
        assertThat(pods("labelSelector=" + enc("app=shop,tier=web,canary=no"))).hasSize(6);
        assertThat(pods("phase=Running")).hasSize(10);
        assertThat(pods("phase=Pending")).isEmpty();

        JsonNode one = pods("cluster=" + b + "&app=pay").getFirst();
        String node = one.get("node").asString();
        long onNode = pods("cluster=" + b).stream().filter(p -> node.equals(p.get("node").asString())).count();
        assertThat(pods("cluster=" + b + "&node=" + node)).hasSize((int) onNode)
                .allSatisfy(p -> assertThat(p.get("node").asString()).isEqualTo(node));
        String ip = one.get("ip").asString();
        assertThat(pods("cluster=" + b + "&ip=" + ip)).singleElement()
                .satisfies(p -> assertThat(p.get("name").asString()).isEqualTo(one.get("name").asString()));
        JsonNode byName = noah.get("/api/v1/clusters/" + b + "/namespaces/" + ns + "/pods/" + one.get("name").asString(), ADMIN_TOKEN).body();
        assertThat(byName.get("ip").asString()).isEqualTo(ip);
    }

    @Test
    @Order(4)
    void pagingReturnsEveryPodExactlyOnceInAStableOrder() {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode body = noah.get("/api/v1/pods?namespace=" + ns + "&limit=3" + (token == null ? "" : "&continue=" + token), ADMIN_TOKEN).body();
            body.get("items").forEach(p -> seen.add(p.get("cluster").asString() + "/" + p.get("name").asString()));
            token = body.get("continueToken").isNull() ? null : body.get("continueToken").asString();
            assertThat(body.get("clusters")).isNotEmpty();
            pages++;
        } while (token != null && pages < 20);
        assertThat(pages).isEqualTo(4);
        assertThat(seen).hasSize(10).doesNotHaveDuplicates();
        assertThat(seen).isSorted();
    }

    @Test
    @Order(5)
    void deploymentsNodesAndAppsAnswerFromTheCaches() {
        JsonNode deps = noah.get("/api/v1/deployments?namespace=" + ns, ADMIN_TOKEN).body().get("items");
        assertThat(deps).hasSize(4);
        JsonNode shop = noah.get("/api/v1/deployments?namespace=" + ns + "&app=shop&cluster=" + a, ADMIN_TOKEN).body().get("items").get(0);
        assertThat(shop.get("readyReplicas").asInt()).isEqualTo(3);
        assertThat(shop.get("images").get(0).asString()).isEqualTo("registry.local/shop:1");
        JsonNode nodes = noah.get("/api/v1/nodes?cluster=" + a + "&labelSelector=" + enc("rack=rack-1"), ADMIN_TOKEN).body().get("items");
        assertThat(nodes).hasSize(2);
        JsonNode app = noah.get("/api/v1/apps/shop", ADMIN_TOKEN).body();
        assertThat(app.get("pods").asInt()).isGreaterThanOrEqualTo(6);
        assertThat(app.get("clusters")).hasSizeGreaterThanOrEqualTo(2);
        Set<String> apps = new HashSet<>();
        noah.get("/api/v1/apps", ADMIN_TOKEN).body().forEach(x -> apps.add(x.get("app").asString()));
        assertThat(apps).contains("shop", "pay");
        // metrics: cache sizes per cluster and kind, watch errors, request latencies
        String metrics = noah.sendRaw("GET", "/actuator/prometheus", ADMIN_TOKEN, null, null).raw();
        assertThat(metrics).contains("noah_cache_objects{cluster=\"" + a + "\",kind=\"pod\"}",
                "noah_cache_watch_errors{cluster=\"" + b + "\"}", "noah_cluster_reachable", "http_server_requests_seconds_bucket");
    }

    @Test
    @Order(6)
    void aClusterRegisteredAtRunTimeServesAtOnceAndIsRemovedCleanly() {
        var r = noah.post("/api/v1/clusters", ADMIN_TOKEN, Map.of("name", "extra", "idc", "dc9",
                "kubeconfig", stack.kubeconfigText(a), "reason", "runtime add"));
        assertThat(r.status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods("cluster=extra").size() == 5);
        assertThat(noah.send("DELETE", "/api/v1/clusters/extra", ADMIN_TOKEN, null).status()).isEqualTo(204);
        assertThat(noah.get("/api/v1/clusters/extra", ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(noah.get("/api/v1/pods?cluster=extra", ADMIN_TOKEN).code()).isEqualTo("cluster-not-found");
    }

    @Test
    @Order(7)
    void restartKeepsTheRegistryRebuildsCachesAndCredentialsAreNotPlainText() throws Exception {
        noah.restart();
        await().atMost(Duration.ofSeconds(30)).until(() -> pods("").size() == 10);
        JsonNode cb = noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body();
        assertThat(cb.get("connection").get("kind").asString()).isEqualTo("token");
        assertThat(cb.get("labels").get("env").asString()).isEqualTo("test");
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
             ResultSet rs = c.createStatement().executeQuery("select name, credentials, labels from cluster")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                String stored = new String(rs.getBytes("credentials"), StandardCharsets.ISO_8859_1);
                assertThat(stored).doesNotContain(stack.token(b)).doesNotContain("BEGIN CERTIFICATE")
                        .doesNotContain("client-key-data").doesNotContain("apiVersion").doesNotContain("127.0.0.1");
            }
            assertThat(rows).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    @Order(8)
    void anUnreachableClusterIsReportedWhileTheOtherKeepsAnswering() {
        stack.stopApiServer(b);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    !noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body().get("status").get("reachable").asBoolean());
            JsonNode status = noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body().get("status");
            assertThat(status.get("stale").asBoolean()).isTrue();
            assertThat(status.get("error").asString()).isNotBlank();
            JsonNode page = noah.get("/api/v1/pods?namespace=" + ns + "&cluster=" + a, ADMIN_TOKEN).body();
            assertThat(page.get("items")).hasSize(5);
            JsonNode freshness = null;
            for (JsonNode f : page.get("clusters")) {
                if (f.get("cluster").asString().equals(b)) {
                    freshness = f;
                }
            }
            assertThat(freshness).isNotNull();
            assertThat(freshness.get("stale").asBoolean()).isTrue();
            assertThat(freshness.get("reachable").asBoolean()).isFalse();
            // a write to it: 503 naming the cluster
            var scale = noah.send("PUT", "/api/v1/clusters/" + b + "/namespaces/" + ns + "/deployments/shop/scale", ADMIN_TOKEN,
                    Map.of("replicas", 4, "reason", "test"));
            assertThat(scale.status()).isEqualTo(503);
            assertThat(scale.code()).isEqualTo("cluster-unreachable");
            assertThat(scale.body().get("detail").asString()).contains(b);
            // health shows it to an authenticated caller (health is computed at most once a second)
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    noah.get("/actuator/health", ADMIN_TOKEN).body().get("components").get("clusters").get("details").get(b)
                            .get("reachable").asBoolean()).isFalse());
        } finally {
            stack.startApiServer(b);
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !noah.get("/api/v1/clusters/" + b, ADMIN_TOKEN).body().get("status").get("stale").asBoolean());
        var scale = noah.send("PUT", "/api/v1/clusters/" + b + "/namespaces/" + ns + "/deployments/shop/scale", ADMIN_TOKEN,
                Map.of("replicas", 4, "reason", "recovered"));
        assertThat(scale.status()).isEqualTo(200);
        assertThat(scale.body().get("previousReplicas").asInt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> pods("cluster=" + b + "&app=shop&ready=true").size() == 4);
    }
}
