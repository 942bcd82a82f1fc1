package io.noah.api;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bulk drains on nodes of their own: four nodes this class adds to cluster b (two racks), tainted so that only its
 * pods go there, removed after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeDrainE2ETest {

    private final LocalStack stack = LocalStack.get();
    private final NoahServer noah = NoahServer.get();
    private final String id = UUID.randomUUID().toString().substring(0, 6);
    private final String b = stack.clusters().get(1);
    private final String ns = "drain-" + id;
    private final List<String> nodes = List.of("drain-" + id + "-1", "drain-" + id + "-2", "drain-" + id + "-3", "drain-" + id + "-4");

    private KubernetesClient k() {
        return stack.client(b);
    }

    private String rack(int i) {
        return "drain-" + id + "-r" + (i < 2 ? 1 : 2);
    }

    @BeforeAll
    void nodes() {
        for (int i = 0; i < 4; i++) {
            k().nodes().resource(new NodeBuilder().withNewMetadata().withName(nodes.get(i))
                    .addToAnnotations("kwok.x-k8s.io/node", "fake").addToLabels("type", "kwok").addToLabels("rack", rack(i))
                    .addToLabels("drain-test", id).addToLabels("kubernetes.io/hostname", nodes.get(i)).endMetadata()
                    .withNewSpec().addNewTaint().withKey("noah.io/drain-test").withValue(id).withEffect("NoSchedule").endTaint().endSpec()
                    .build()).create();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> {
            Node x = k().nodes().withName(n).get();
            return x.getStatus() != null && x.getStatus().getConditions() != null && x.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }));
        LocalStack.createNamespace(k(), ns);
        // Noah's cache must know the nodes before an operation can select them
        await().atMost(Duration.ofSeconds(10)).until(() -> noah.get("/api/v1/nodes?cluster=" + b + "&labelSelector=drain-test%3D" + id, ADMIN_TOKEN)
                .body().get("items").size() == 4);
    }

    @AfterAll
    void removeNodes() {
        noah.get("/api/v1/node-operations?limit=1000", ADMIN_TOKEN).body().forEach(o -> {
            if (Set.of("running", "paused").contains(o.get("state").asString())) {
                noah.post("/api/v1/node-operations/" + o.get("id").asString() + "/abort", ADMIN_TOKEN, Map.of("reason", "test clean-up"));
            }
        });
        k().namespaces().withName(ns).delete();
        nodes.forEach(n -> k().nodes().withName(n).delete());
    }

    /** A Deployment whose pods go only to this class's nodes (those of {@code hostname}, if given), Ready 2 s after start. */
    private void deploy(String app, int replicas, String hostname) {
        Deployment d = Workloads.deployment(app, replicas);
        var spec = d.getSpec().getTemplate().getSpec();
        spec.setTolerations(List.of(new TolerationBuilder().withKey("noah.io/drain-test").withOperator("Exists").build()));
        spec.setNodeSelector(hostname == null ? Map.of("drain-test", id) : Map.of("kubernetes.io/hostname", hostname));
        d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("pod-ready.stage.kwok.x-k8s.io/delay", "2s"));
        k().apps().deployments().inNamespace(ns).resource(d).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k(), ns, app) == replicas);
    }

    private void pdb(String name, String app, int maxUnavailable) {
        k().policy().v1().podDisruptionBudget().inNamespace(ns).resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", app).endSelector()
                .withMaxUnavailable(new IntOrString(maxUnavailable)).endSpec().build()).serverSideApply();
    }

    private Map<String, Object> drain(List<String> which) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", "drain");
        body.put("clusters", List.of(b));
        body.put("nodes", which);
        body.put("concurrency", 4);
        body.put("racks", 1);
        body.put("reason", "KRN-1 kernel upgrade");
        return body;
    }

    private JsonNode op(String opId) {
        return noah.get("/api/v1/node-operations/" + opId, ADMIN_TOKEN).body();
    }

    private int readyPods(String app) {
        return (int) k().pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).filter(Workloads::isReady).count();
    }

    private Set<String> podNodes(String app) {
        Set<String> s = new HashSet<>();
        for (Pod p : k().pods().inNamespace(ns).withLabel("app", app).list().getItems()) {
            if (p.getMetadata().getDeletionTimestamp() == null) {
                s.add(p.getSpec().getNodeName());
            }
        }
        return s;
    }

    @Test
    void aDrainRespectsThePdbOneEvictionAtATimeReportsATwoPdbPodAsABlockerAndGoesOneRackAtATime() throws Exception {
        deploy("web", 4, null);
        pdb("web", "web", 1);
        deploy("double", 1, nodes.get(1));
        pdb("double-a", "double", 1);
        pdb("double-b", "double", 1);

        // preflight: the two-PDB pod is predicted as a blocker; the rest fits on the other nodes
        Map<String, Object> body = drain(nodes.subList(0, 2));
        body.put("dryRun", true);
        var pre = noah.post("/api/v1/node-operations", ADMIN_TOKEN, body);
        assertThat(pre.status()).as(pre.raw()).isEqualTo(200);
        assertThat(pre.body().get("nodes").findValues("blocked").stream().flatMap(x -> x.values().stream())
                .map(x -> x.get("reason").asString()).toList()).anyMatch(r -> r.contains("2 PodDisruptionBudgets"));
        assertThat(pre.body().get("capacity").get(0).get("fits").asBoolean()).isTrue();
        assertThat(k().nodes().withName(nodes.get(0)).get().getSpec().getUnschedulable()).as("a dry run moves nothing").isNull();

        // all four nodes: web's pods may go only to these, so the preflight finds no room for them
        Map<String, Object> everything = drain(nodes);
        everything.put("dryRun", true);
        JsonNode cap = noah.post("/api/v1/node-operations", ADMIN_TOKEN, everything).body().get("capacity").get(0);
        assertThat(cap.get("fits").asBoolean()).isFalse();
        assertThat(cap.get("placeable").asInt()).isZero();
        assertThat(cap.get("pods").asInt()).isEqualTo(4);

        body.put("dryRun", false);
        var started = noah.post("/api/v1/node-operations", ADMIN_TOKEN, body);
        assertThat(started.status()).as(started.raw()).isEqualTo(201);
        String opId = started.body().get("id").asString();
        AtomicInteger lowest = new AtomicInteger(4);
        AtomicBoolean sawPdbBlocker = new AtomicBoolean();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            lowest.accumulateAndGet(readyPods("web"), Math::min);
            JsonNode o = op(opId);
            o.get("nodes").forEach(n -> n.get("blocked").forEach(x -> {
                if ("web".equals(x.path("pdb").asString(null))) {
                    sawPdbBlocker.set(true);
                }
            }));
            return !Set.of("running", "paused").contains(o.get("state").asString());
        });
        JsonNode done = op(opId);
        assertThat(lowest.get()).as("the PDB's budget (3 of 4 ready) was never exceeded").isGreaterThanOrEqualTo(3);
        assertThat(sawPdbBlocker.get()).as("pods waiting for the PDB were shown with it").isTrue();
        assertThat(done.get("state").asString()).isEqualTo("failed");
        assertThat(done.get("nodes").get(0).get("phase").asString()).isEqualTo("done");
        JsonNode blockedNode = done.get("nodes").get(1);
        assertThat(blockedNode.get("phase").asString()).isEqualTo("blocked");
        assertThat(blockedNode.get("blocked").get(0).get("reason").asString()).contains("2 PodDisruptionBudgets");
        assertThat(blockedNode.get("blocked").get(0).get("permanent").asBoolean()).isTrue();
        assertThat(podNodes("web")).doesNotContain(nodes.get(0), nodes.get(1));
        assertThat(k().nodes().withName(nodes.get(0)).get().getSpec().getUnschedulable()).isTrue();

        // four nodes over two racks, one rack at a time, each node schedulable again once drained
        k().apps().deployments().inNamespace(ns).withName("double").delete();
        Map<String, Object> uncordon = new LinkedHashMap<>(drain(nodes));
        uncordon.put("action", "uncordon");
        var u = noah.post("/api/v1/node-operations", ADMIN_TOKEN, uncordon);
        assertThat(u.status()).as(u.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> op(u.body().get("id").asString()).get("state").asString().equals("succeeded"));
        Map<String, Object> all = drain(nodes);
        all.put("uncordonAfter", true);
        var rolling = noah.post("/api/v1/node-operations", ADMIN_TOKEN, all);
        assertThat(rolling.status()).as(rolling.raw()).isEqualTo(201);
        String rollId = rolling.body().get("id").asString();
        // its progress as server-sent events, read until the operation ends
        var stream = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return noah.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port()
                                + "/api/v1/node-operations/" + rollId + "/events")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofLines()).body().toList();
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode o = op(rollId);
            Set<String> racks = new HashSet<>();
            o.get("nodes").forEach(n -> {
                if (n.get("phase").asString().equals("draining")) {
                    racks.add(n.get("rack").asString());
                }
            });
            assertThat(racks).as("racks draining at once").hasSizeLessThanOrEqualTo(1);
            lowest.accumulateAndGet(readyPods("web"), Math::min);
            return o.get("state").asString().equals("succeeded");
        });
        assertThat(lowest.get()).isGreaterThanOrEqualTo(3);
        List<String> sse = stream.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(sse).contains("event:progress");
        assertThat(sse.stream().filter(l -> l.startsWith("data:")).toList().getLast()).contains("\"state\":\"succeeded\"");
        for (String n : nodes) {
            assertThat(k().nodes().withName(n).get().getSpec().getUnschedulable()).as(n + " uncordoned after").isNull();
        }
        // the shortfall the preflight predicted, met by the real drain: evicted pods find no node, the budget stops the
        // rest, and the operation times out with its nodes cordoned
        Map<String, Object> nowhere = drain(nodes);
        nowhere.put("timeoutSeconds", 10);
        nowhere.put("racks", 2);
        var stuck = noah.post("/api/v1/node-operations", ADMIN_TOKEN, nowhere);
        assertThat(stuck.status()).as(stuck.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(40)).until(() -> op(stuck.body().get("id").asString()).get("state").asString().equals("timed_out"));
        assertThat(k().pods().inNamespace(ns).withLabel("app", "web").list().getItems().stream()
                .filter(p -> "Pending".equals(p.getStatus().getPhase())).count()).as("evicted pods with no room").isPositive();
        Map<String, Object> back = drain(nodes);
        back.put("action", "uncordon");
        String backId = noah.post("/api/v1/node-operations", ADMIN_TOKEN, back).body().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> op(backId).get("state").asString().equals("succeeded"));
        JsonNode audit = noah.get("/api/v1/audit?target=/api/v1/node-operations", ADMIN_TOKEN).body();
        assertThat(audit.findValuesAsString("reason")).contains("KRN-1 kernel upgrade");
    }

    @Test
    void abortStopsADrainAndARestartedNoahFinishesOneWhereItWas() {
        deploy("stuck", 2, null);
        pdb("stuck", "stuck", 0); // allows nothing: the drain waits
        String target = k().pods().inNamespace(ns).withLabel("app", "stuck").list().getItems().getFirst().getSpec().getNodeName();
        Set<String> before = podNodes("stuck");
        int onTarget = (int) k().pods().inNamespace(ns).withLabel("app", "stuck").list().getItems().stream()
                .filter(p -> target.equals(p.getSpec().getNodeName())).count();
        var started = noah.post("/api/v1/node-operations", ADMIN_TOKEN, drain(List.of(target)));
        assertThat(started.status()).as(started.raw()).isEqualTo(201);
        String opId = started.body().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> op(opId).get("nodes").get(0).get("blocked").size() == onTarget);
        var aborted = noah.post("/api/v1/node-operations/" + opId + "/abort", ADMIN_TOKEN, Map.of("reason", "KRN-2 wrong node"));
        assertThat(aborted.status()).as(aborted.raw()).isEqualTo(200);
        assertThat(aborted.body().get("state").asString()).isEqualTo("aborted");
        assertThat(noah.post("/api/v1/node-operations/" + opId + "/resume", ADMIN_TOKEN, Map.of()).code()).isEqualTo("conflict");
        // aborted: nothing more happens (the pods stay where they were)
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> podNodes("stuck").equals(before));

        // again, and Noah restarts in the middle: the restarted Noah finishes it where it was
        var again = noah.post("/api/v1/node-operations", ADMIN_TOKEN, drain(List.of(target)));
        assertThat(again.status()).as(again.raw()).isEqualTo(201);
        String againId = again.body().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> op(againId).get("nodes").get(0).get("blocked").size() == onTarget);
        noah.kill9();
        pdb("stuck", "stuck", 1);
        noah.start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> op(againId).get("state").asString().equals("succeeded"));
        assertThat(op(againId).get("nodes").get(0).get("evicted").asInt()).isEqualTo(onTarget);
        assertThat(podNodes("stuck")).doesNotContain(target);
        await().atMost(Duration.ofSeconds(20)).until(() -> readyPods("stuck") == 2);
        noah.post("/api/v1/node-operations", ADMIN_TOKEN, Map.of("action", "uncordon", "clusters", List.of(b), "nodes", List.of(target),
                "reason", "test clean-up"));

        // bad input
        Map<String, Object> bad = drain(List.of("no-such-node"));
        assertThat(noah.post("/api/v1/node-operations", ADMIN_TOKEN, bad).status()).isEqualTo(404);
        bad = drain(List.of());
        bad.put("nodeSelector", "rack=no-such-rack");
        assertThat(noah.post("/api/v1/node-operations", ADMIN_TOKEN, bad).code()).isEqualTo("empty-selection");
        bad = drain(List.of(nodes.get(0)));
        bad.put("concurrency", 0);
        assertThat(noah.post("/api/v1/node-operations", ADMIN_TOKEN, bad).status()).isEqualTo(400);
        bad = drain(List.of(nodes.get(0)));
        bad.put("clusters", List.of("no-such-cluster"));
        assertThat(noah.post("/api/v1/node-operations", ADMIN_TOKEN, bad).code()).isEqualTo("cluster-not-found");
    }
}
