package io.noah.api;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The evaluating instance killed with SIGKILL right after it scaled: the instance that takes the policy over honours
 * the up cooldown of a scale it never saw (the scale times travel on the Deployment), so the app is scaled once. Then
 * the metric store becomes unreachable (a proxy in front of it is cut): no scale-down, DEGRADED in health and in the
 * decisions; restored, the scale-down follows.
 */
@ExtendWith(LocalStackExtension.class)
class AutoscalerFailoverE2ETest {

    private static final String RPS = "max by (pod) (noah_test_rps{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"})";

    @Test
    void killedRightAfterAScaleTheNextInstanceDoesNotScaleAgainAndASourceOutageNeverScalesDown(LocalStack stack) throws Exception {
        NoahServer noah = NoahServer.get();
        String cluster = stack.clusters().getFirst();
        KubernetesClient k = stack.client(cluster);
        String ns = "hpa-failover-" + UUID.randomUUID().toString().substring(0, 6);
        LocalStack.createNamespace(k, ns);
        k.apps().deployments().inNamespace(ns).resource(Workloads.deployment("orders", 2)).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k, ns, "orders") == 2);
        AtomicInteger maxDesired = new AtomicInteger();
        Watch watch = k.apps().deployments().inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                maxDesired.accumulateAndGet(d.getSpec().getReplicas(), Math::max);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        URI metrics = URI.create(stack.metricsUrl());
        String[] policy = new String[1];
        noah.stop(); // only the separate processes evaluate policies in this test
        try (MetricFeeder feeder = new MetricFeeder(stack.metricsUrl()); TcpProxy proxy = new TcpProxy(metrics.getPort())) {
            // 1.3 × target per pod, whatever the count: above the tolerance, below the frustrated level
            feeder.rps(cluster, k, ns, "orders", 130);
            String id;
            try (NoahProcess first = NoahProcess.start(stack, "hpa-first", "15s")) {
                var created = noah.sendTo(first.port(), "POST", "/api/v1/autoscalers", ADMIN_TOKEN, Map.of("app", "orders", "namespace", ns,
                        "pools", Map.of(cluster, Map.of("min", 1, "max", 20)),
                        "strategies", List.of(Map.of("name", "rps", "type", "custom", "target", 100, "query", RPS)),
                        "tuning", Map.of("downCooldownSeconds", 0), "mode", "enforce", "reason", "failover test"));
                assertThat(created.status()).as(created.raw()).isEqualTo(201);
                id = created.body().get("id").asString();
                policy[0] = id;
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> k.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas() == 3);
                first.kill9(); // right after its write: its decision may or may not be recorded
            }
            try (NoahProcess second = NoahProcess.start(stack, "hpa-second", "15s",
                    Map.of("noah.autoscaler.metrics-url", "http://127.0.0.1:" + proxy.port()))) {
                // the second instance takes the policy over once the first one's lease expires, and waits for the cooldown
                JsonNode d = await("the policy evaluated by the second instance").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> latest(noah, second, id), x -> x != null && x.get("reason").asString().equals("up-cooldown"));
                assertThat(d.get("lastScaleUp").isNull()).as("the scale time read from the Deployment").isFalse();
                await().during(NoahServer.AUTOSCALER_TICK.multipliedBy(3)).atMost(NoahServer.AUTOSCALER_TICK.multipliedBy(3).plusSeconds(10))
                        .until(() -> k.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas() == 3);
                assertThat(maxDesired.get()).as("scaled once, never twice").isEqualTo(3);

                // the metric store unreachable while the load falls: nothing scales down, health says DEGRADED
                feeder.rps(cluster, k, ns, "orders", 30);
                proxy.cut();
                JsonNode out = await().atMost(Duration.ofSeconds(30)).until(() -> latest(noah, second, id),
                        x -> x != null && x.get("reason").asString().equals("no-metrics"));
                assertThat(out.get("sourceErrors").get("rps").asString()).isNotBlank();
                JsonNode health = noah.sendTo(second.port(), "GET", "/actuator/health", ADMIN_TOKEN, null).body();
                assertThat(health.get("status").asString()).isEqualTo("DEGRADED");
                assertThat(health.get("components").get("autoscaler").get("status").asString()).isEqualTo("DEGRADED");
                await().during(NoahServer.AUTOSCALER_TICK.multipliedBy(2)).atMost(NoahServer.AUTOSCALER_TICK.multipliedBy(2).plusSeconds(10))
                        .until(() -> k.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas() == 3);

                proxy.restore();
                await("scaled down after the source is back").atMost(Duration.ofSeconds(30))
                        .until(() -> k.apps().deployments().inNamespace(ns).withName("orders").get().getSpec().getReplicas() == 1);
                await().atMost(Duration.ofSeconds(15)).until(() -> noah.sendTo(second.port(), "GET", "/actuator/health", ADMIN_TOKEN, null).body()
                        .get("components").get("autoscaler").get("status").asString().equals("UP"));
            }
        } finally {
            watch.close();
            noah.start();
            if (policy[0] != null) {
                noah.send("DELETE", "/api/v1/autoscalers/" + policy[0], ADMIN_TOKEN, null); // not evaluated by later tests
            }
            k.namespaces().withName(ns).delete();
        }
    }

    private static JsonNode latest(NoahServer noah, NoahProcess p, String id) {
        for (JsonNode d : noah.sendTo(p.port(), "GET", "/api/v1/autoscalers/" + id, ADMIN_TOKEN, null).body().get("latest")) {
            return d;
        }
        return null;
    }
}
