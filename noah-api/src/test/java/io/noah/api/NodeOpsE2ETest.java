package io.noah.api;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Node operations on the local clusters through a Noah started from the packaged jar: labels from a CMDB (a real HTTP
 * server the test changes between rounds) and traffic weights, published to Kafka. Only labels under this run's own
 * key prefix are managed, so the shared nodes' other labels (rack, …) are never at stake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeOpsE2ETest {

    private final LocalStack stack = LocalStack.get();
    private final NoahServer noah = NoahServer.get();
    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String key = "cmdbtest" + id + ".noah.io/";
    private final String prefix = "n" + id + ".";
    private final String a = stack.clusters().get(0);
    private final String ns = "nodes-" + id;
    private HttpServer cmdb;
    private volatile String served = "[]";
    private volatile String servedType = "application/json";
    private volatile int requests;
    private NoahProcess p;
    private KafkaEventLog events;

    @BeforeAll
    void start() throws IOException {
        cmdb = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cmdb.createContext("/cmdb/nodes", ex -> {
            byte[] b = served.getBytes(StandardCharsets.UTF_8);
            boolean auth = "Bearer cmdb-secret".equals(ex.getRequestHeaders().getFirst("Authorization"));
            ex.getResponseHeaders().add("Content-Type", servedType);
            ex.sendResponseHeaders(auth ? 200 : 401, auth ? b.length : -1);
            if (auth) {
                ex.getResponseBody().write(b);
            }
            requests++;
            ex.close();
        });
        cmdb.start();
        LocalStack.createNamespace(stack.client(a), ns);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("noah.nodes.cmdb.url", "http://127.0.0.1:" + cmdb.getAddress().getPort() + "/cmdb/nodes");
        props.put("noah.nodes.cmdb.token", "cmdb-secret");
        props.put("noah.nodes.cmdb.interval", "1s");
        props.put("noah.nodes.cmdb.allowed-labels", key + "*");
        props.put("noah.events.bootstrap-servers", stack.kafkaBootstrapServers());
        props.put("noah.events.topic-prefix", prefix);
        props.put("noah.events.lease", "4s");
        props.put("noah.events.poll", "500ms");
        p = NoahProcess.start(stack, "nodes-" + id, "15s", props);
        events = new KafkaEventLog(stack.kafkaBootstrapServers(), prefix);
    }

    @AfterAll
    void stop() {
        // every node listed with no labels: the run's labels are pruned
        served = "node\n" + stack.client(a).nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).collect(Collectors.joining("\n"));
        servedType = "text/csv";
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> nodeLabels("node-1").keySet().stream()
                    .noneMatch(k -> k.startsWith(key) && !k.equals(key + "other")));
        } finally {
            // the labels "someone else" set
            for (String n : List.of("node-1", "node-2")) {
                for (String l : k().nodes().withName(a + "-" + n).get().getMetadata().getLabels().keySet()) {
                    if (l.startsWith(key)) {
                        label(n, l, null);
                    }
                }
            }
            if (p != null) {
                p.close();
            }
            events.close();
            cmdb.stop(0);
            stack.client(a).namespaces().withName(ns).delete();
        }
    }

    private KubernetesClient k() {
        return stack.client(a);
    }

    private Map<String, String> nodeLabels(String suffix) {
        Node n = k().nodes().withName(a + "-" + suffix).get();
        return n.getMetadata().getLabels();
    }

    /**
     * Sets (or with null removes) one label by a merge patch: no resourceVersion, so the KWOK controller's node status
     * updates cannot make it fail with 409 as a read-modify-write {@code edit} did.
     */
    private void label(String suffix, String label, String value) {
        k().nodes().withName(a + "-" + suffix).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + label + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}");
    }

    private NoahServer.Response call(String method, String path, Object body) {
        return noah.sendTo(p.port(), method, path, ADMIN_TOKEN, body);
    }

    /** Waits for a pull of the served data that started after it was served (two pulls later). */
    private JsonNode pulled() {
        int seen = requests;
        await().atMost(Duration.ofSeconds(20)).until(() -> requests >= seen + 2);
        return call("GET", "/api/v1/node-labels/last", null).body();
    }

    @Test
    void labelsFromTheCmdbAppearChangeAndArePrunedWithoutTouchingOthersLabelsAndADryRunChangesNothing() {
        // someone else's labels: one Noah never manages, one the CMDB will want with another value
        label("node-1", key + "other", "mine");
        label("node-2", key + "team", "theirs");

        served = "[{\"cluster\":\"" + a + "\",\"node\":\"" + a + "-node-1\",\"labels\":{\"" + key + "rack\":\"r1\",\"" + key + "type\":\"big\","
                + "\"kubernetes.io/hostname\":\"evil\"}},"
                + "{\"node\":\"" + a + "-node-2\",\"labels\":{\"" + key + "team\":\"ours\"}},"
                + "{\"node\":\"ghost-" + id + "\",\"labels\":{\"" + key + "rack\":\"r9\"}}]";
        JsonNode r = pulled();
        assertThat(nodeLabels("node-1")).containsEntry(key + "rack", "r1").containsEntry(key + "type", "big")
                .containsEntry(key + "other", "mine").containsEntry("kubernetes.io/hostname", a + "-node-1");
        assertThat(nodeLabels("node-2")).containsEntry(key + "team", "theirs");
        Map<String, JsonNode> byNode = new LinkedHashMap<>();
        r.get("nodes").forEach(n -> byNode.put(n.get("node").asString(), n));
        assertThat(byNode.get(a + "-node-2").get("error").asString()).contains("conflict");
        assertThat(r.get("unknownNodes").findValuesAsString("node")).contains("ghost-" + id);
        assertThat(r.get("refused").findValuesAsString("key")).contains("kubernetes.io/hostname");
        assertThat(r.get("notInCmdb").findValuesAsString("name")).contains(a + "-node-3");

        // round 2, as CSV: rack changes, zone appears, type is pruned; someone else's label stays
        served = "cluster,node," + key + "rack," + key + "zone\n" + a + "," + a + "-node-1,r2,z1\n";
        servedType = "text/csv";
        pulled();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(nodeLabels("node-1"))
                .containsEntry(key + "rack", "r2").containsEntry(key + "zone", "z1").doesNotContainKey(key + "type")
                .containsEntry(key + "other", "mine"));

        // a dry run through the push API: the diff, nothing written
        Map<String, Object> push = Map.of("dryRun", true, "reason", "CMDB-5 preview", "nodes", List.of(
                Map.of("cluster", a, "node", a + "-node-1", "labels", Map.of(key + "rack", "r3"))));
        var dry = call("POST", "/api/v1/node-labels", push);
        assertThat(dry.status()).as(dry.raw()).isEqualTo(200);
        JsonNode n1 = dry.body().get("nodes").get(0);
        assertThat(n1.get("changed").get(key + "rack").asString()).isEqualTo("r3");
        assertThat(n1.get("removed").values().stream().map(JsonNode::asString).toList()).containsExactly(key + "zone");
        assertThat(nodeLabels("node-1")).containsEntry(key + "rack", "r2").containsEntry(key + "zone", "z1");

        // bad input
        assertThat(call("POST", "/api/v1/node-labels", Map.of("nodes", List.of(Map.of("cluster", "nope", "node", "x")))).code())
                .isEqualTo("unknown-pool");
        assertThat(call("POST", "/api/v1/node-labels", Map.of("nodes", List.of(Map.of("labels", Map.of())))).status()).isEqualTo(400);
        JsonNode audit = noah.get("/api/v1/audit?actor=noah:cmdb", ADMIN_TOKEN).body();
        assertThat(audit.findValuesAsString("reason")).anyMatch(x -> x.contains("nodes changed"));
    }

    @Test
    void trafficWeightsOnEveryPodOfANodeAreSetReadBackAndPublished() {
        String node = a + "-node-3";
        Deployment d = Workloads.deployment("weighted", 3);
        d.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("kubernetes.io/hostname", node));
        k().apps().deployments().inNamespace(ns).resource(d).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k(), ns, "weighted") == 3);
        Set<String> pods = Workloads.readyPods(k(), ns, "weighted").stream().map(x -> x.getMetadata().getName()).collect(Collectors.toSet());
        // the weights go to the pods Noah's caches place on the node: wait until they have seen all three
        await().atMost(Duration.ofSeconds(20)).until(() ->
                noah.get("/api/v1/pods?cluster=" + a + "&namespace=" + ns + "&app=weighted", ADMIN_TOKEN).body().get("items").size() == 3);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cluster", a);
        body.put("nodes", List.of(node));
        body.put("namespace", ns);
        body.put("weight", 30);
        body.put("reason", "LB-4 drain slowly");
        var set = call("PUT", "/api/v1/traffic-weights", body);
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.body().get("pods").asInt()).isEqualTo(3);
        assertThat(set.body().get("applied").asInt()).isEqualTo(3);
        for (String pod : pods) {
            assertThat(k().pods().inNamespace(ns).withName(pod).get().getMetadata().getAnnotations()).containsEntry("noah.io/traffic-weight", "30");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode listed = call("GET", "/api/v1/traffic-weights?cluster=" + a + "&node=" + node + "&namespace=" + ns, null).body();
            assertThat(listed).hasSize(3);
            listed.forEach(w -> assertThat(w.get("weight").asInt()).isEqualTo(30));
        });
        // on Noah's event stream
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(events.poll().events().stream()
                .filter(e -> e.type().equals("io.noah.pod.traffic-weight-changed") && ns.equals(e.namespace())).map(KafkaEventLog.Event::name)
                .collect(Collectors.toSet())).isEqualTo(pods));

        // bad input
        body.put("nodes", List.of("no-such-node"));
        assertThat(call("PUT", "/api/v1/traffic-weights", body).status()).isEqualTo(404);
        body.put("nodes", List.of());
        body.put("nodeSelector", "rack=no-such-rack");
        assertThat(call("PUT", "/api/v1/traffic-weights", body).code()).isEqualTo("empty-selection");
        body.put("nodeSelector", null);
        body.put("nodes", List.of(node));
        body.put("weight", 101);
        assertThat(call("PUT", "/api/v1/traffic-weights", body).status()).isEqualTo(400);
        body.put("weight", 1);
        body.put("cluster", "no-such-cluster");
        assertThat(call("PUT", "/api/v1/traffic-weights", body).code()).isEqualTo("cluster-not-found");
    }
}
