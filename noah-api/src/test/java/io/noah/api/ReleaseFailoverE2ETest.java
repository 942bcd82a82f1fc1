package io.noah.api;

import io.noah.cluster.testing.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Noah killed with SIGKILL in the middle of a batch: another instance takes the release over when
 * the lease expires and finishes the batch, never scaling beyond the plan. With two instances up,
 * exactly one executes the release.
 */
@ExtendWith(LocalStackExtension.class)
class ReleaseFailoverE2ETest {

    @Test
    void killedInTheMiddleOfABatchResumesElsewhereWithoutExtraScalingAndOneInstanceExecutes(LocalStack stack) {
        NoahServer noah = NoahServer.get();
        noah.abortActiveReleases("failover test: no other release may be handed over among the instances");
        String cluster = stack.clusters().getFirst();
        KubernetesClient k = stack.client(cluster);
        String ns = "failover-" + UUID.randomUUID().toString().substring(0, 6);
        LocalStack.createNamespace(k, ns);
        k.apps().deployments().inNamespace(ns).resource(Workloads.deployment("payments", 200)).create();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> Workloads.readyReplicas(k, ns, "payments") == 200);

        // the highest desired replica count each Deployment ever had
        Map<String, Integer> maxDesired = new ConcurrentHashMap<>();
        Watch watch = k.apps().deployments().inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                maxDesired.merge(d.getMetadata().getName(), d.getSpec().getReplicas(), Math::max);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        noah.stop(); // only the separate processes execute releases in this test
        String id;
        try {
            try (NoahProcess first = NoahProcess.start(stack, "first", "3s")) {
                var created = noah.sendTo(first.port(), "POST", "/api/v1/releases", ADMIN_TOKEN, Map.of(
                        "app", "payments", "namespace", ns, "version", "v2", "images", Map.of("main", "registry.local/payments:2"),
                        "pools", List.of(cluster), "batches", List.of(100, 100), "reason", "failover test"));
                assertThat(created.status()).as(created.raw()).isEqualTo(201);
                id = created.body().get("id").asString();
                // kill it as soon as the batch has started: the canary is being scaled, the running one not yet down
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
                    Deployment c = k.apps().deployments().inNamespace(ns).withName("payments-v2").get();
                    return c != null && c.getSpec().getReplicas() > 0;
                });
                first.kill9();
            }
            int runningAtKill = k.apps().deployments().inNamespace(ns).withName("payments").get().getSpec().getReplicas();
            int canaryAtKill = k.apps().deployments().inNamespace(ns).withName("payments-v2").get().getSpec().getReplicas();
            System.out.printf("killed with the running Deployment at %d desired, canary at %d desired, %d ready%n", runningAtKill,
                    canaryAtKill, Workloads.readyReplicas(k, ns, "payments-v2"));
            // the kill landed in the middle of batch 1: the canary scaled up, the running Deployment not yet down
            assertThat(canaryAtKill).isEqualTo(100);
            assertThat(runningAtKill).isEqualTo(200);

            try (NoahProcess second = NoahProcess.start(stack, "second", "3s")) {
                await("resumed by the second instance").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    JsonNode r = noah.sendTo(second.port(), "GET", "/api/v1/releases/" + id, ADMIN_TOKEN, null).body();
                    return r.get("state").asString().equals("waiting") && r.get("step").asInt() == 1;
                });
                assertThat(k.apps().deployments().inNamespace(ns).withName("payments").get().getSpec().getReplicas()).isEqualTo(100);
                assertThat(k.apps().deployments().inNamespace(ns).withName("payments-v2").get().getSpec().getReplicas()).isEqualTo(100);
                assertThat(maxDesired.get("payments-v2")).as("the canary never exceeded batch 1's target").isEqualTo(100);
                assertThat(maxDesired.get("payments")).as("the running Deployment never grew").isEqualTo(200);

                // a second instance up: the release stays with the one that holds its lease
                try (NoahProcess third = NoahProcess.start(stack, "third", "3s")) {
                    var promoted = noah.sendTo(third.port(), "POST", "/api/v1/releases/" + id + "/promote", ADMIN_TOKEN,
                            Map.of("reason", "batch 1 fine"));
                    assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                            noah.sendTo(third.port(), "GET", "/api/v1/releases/" + id, ADMIN_TOKEN, null).body()
                                    .get("state").asString().equals("succeeded"));
                    List<String> executors = new ArrayList<>();
                    noah.sendTo(third.port(), "GET", "/api/v1/releases/" + id, ADMIN_TOKEN, null).body().get("history")
                            .forEach(h -> executors.add(h.get("actor").asString() + ":" + h.get("type").asString()));
                    Set<String> afterKill = new LinkedHashSet<>();
                    executors.stream().filter(e -> e.startsWith("noah@")).filter(e -> !e.startsWith("noah@first"))
                            .forEach(e -> afterKill.add(e.substring(0, e.indexOf(':'))));
                    assertThat(afterKill).as("executed by exactly one instance: " + executors).containsExactly("noah@second");
                    assertThat(executors).contains("bootstrap:promoted", "noah@second:succeeded");
                }
            }
            assertThat(maxDesired.get("payments-v2")).isEqualTo(200);
            assertThat(k.apps().deployments().inNamespace(ns).withName("payments").get()).isNull();
        } finally {
            watch.close();
            noah.start();
            k.namespaces().withName(ns).delete();
        }
    }

    @Test
    void activeReleasesSpreadOverTheInstancesAndMoveWhenOneLeaves(LocalStack stack) throws Exception {
        NoahServer noah = NoahServer.get();
        noah.abortActiveReleases("spread test: only its own releases are active");
        String cluster = stack.clusters().get(1);
        KubernetesClient k = stack.client(cluster);
        String ns = "spread-" + UUID.randomUUID().toString().substring(0, 6);
        LocalStack.createNamespace(k, ns);
        List<String> apps = List.of("s0", "s1", "s2", "s3");
        for (String app : apps) {
            k.apps().deployments().inNamespace(ns).resource(Workloads.deployment(app, 2)).create();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> apps.stream().allMatch(a -> Workloads.readyReplicas(k, ns, a) == 2));
        List<String> ids = new ArrayList<>();
        try (NoahProcess other = NoahProcess.start(stack, "spread", "3s")) {
            for (String app : apps) {
                var created = noah.post("/api/v1/releases", ADMIN_TOKEN, Map.of("app", app, "namespace", ns, "version", "v2",
                        "images", Map.of("main", "registry.local/" + app + ":2"), "pools", List.of(cluster), "batches", List.of(1, 1),
                        "reason", "spread test"));
                assertThat(created.status()).as(created.raw()).isEqualTo(201);
                ids.add(created.body().get("id").asString());
            }
            await("each instance executes its share").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(holders(stack, ids).values()).containsOnly("shared", "spread")
                            .filteredOn("shared"::equals).hasSize(2));
            await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(id ->
                    noah.get("/api/v1/releases/" + id, ADMIN_TOKEN).body().get("state").asString().equals("waiting")));
        }
        try {
            // the other instance stopped (leases released): the remaining one takes every release
            await("all releases with the remaining instance").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(holders(stack, ids).values()).hasSize(4).containsOnly("shared"));
        } finally {
            ids.forEach(id -> noah.post("/api/v1/releases/" + id + "/abort", ADMIN_TOKEN, Map.of("reason", "spread test done")));
            k.namespaces().withName(ns).delete();
        }
    }

    /** release id → the instance holding its lease (live leases only). */
    private static Map<String, String> holders(LocalStack stack, List<String> ids) throws java.sql.SQLException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
             var ps = c.prepareStatement("select id, lease_holder from release where id = any(?) and lease_until > now()")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

}
