package io.noah.api;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The lifecycle helpers through the REST API on two real clusters: traffic, isolation, maintenance PDBs, rack spread, health checks. */
class LifecycleE2ETest extends TwoClustersE2E {

    private static final String GATE = "noah.io/in-traffic";

    LifecycleE2ETest() {
        super("life");
    }

    @AfterAll
    void cleanUp() {
        noah.abortActiveReleases("test clean-up");
    }

    private KubernetesClient k() {
        return stack.client(a);
    }

    /** A Deployment (optionally with the traffic gate) and a Service selecting its pods; returns its ready pods. */
    private List<Pod> deployWithService(String app, int replicas, boolean gate) {
        return deployWithService(Workloads.deployment(app, replicas), gate);
    }

    private List<Pod> deployWithService(Deployment d, boolean gate) {
        String app = d.getMetadata().getName();
        int replicas = d.getSpec().getReplicas();
        if (gate) {
            d.getSpec().getTemplate().getSpec().setReadinessGates(List.of(new PodReadinessGate(GATE)));
        }
        k().apps().deployments().inNamespace(ns).resource(d).create();
        k().services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(app).endMetadata()
                .withNewSpec().addToSelector("app", app).addNewPort().withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec()
                .build()).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> Workloads.readyReplicas(k(), ns, app) == replicas);
        return Workloads.readyPods(k(), ns, app);
    }

    /** The pod's EndpointSlice entries as Kubernetes has them: ready per entry (empty: in no slice). */
    private List<Boolean> sliceEntries(String podUid) {
        return k().discovery().v1().endpointSlices().inNamespace(ns).list().getItems().stream()
                .map(EndpointSlice::getEndpoints).filter(e -> e != null).flatMap(List::stream)
                .filter(e -> e.getTargetRef() != null && podUid.equals(e.getTargetRef().getUid()))
                .map(e -> e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady())
                .toList();
    }

    private String podPath(String cluster, String pod) {
        return "/api/v1/clusters/" + cluster + "/namespaces/" + ns + "/pods/" + pod;
    }

    @Test
    void outOfTrafficLeavesTheEndpointSliceWithinSecondsAndBackInReturnsItWithoutARestart() {
        Pod pod = deployWithService("traffic", 2, true).getFirst();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        await().atMost(Duration.ofSeconds(30)).until(() -> sliceEntries(uid).equals(List.of(true)));

        var out = noah.post(podPath(a, name) + "/out-of-traffic", ADMIN_TOKEN, Map.of("reason", "OPS-1 debugging a slow pod"));
        assertThat(out.status()).as(out.raw()).isEqualTo(200);
        assertThat(out.body().get("verified").asBoolean()).as(out.raw()).isTrue();
        assertThat(out.body().get("inTraffic").asBoolean()).isFalse();
        assertThat(out.body().get("ready").asBoolean()).isFalse();
        assertThat(out.body().get("waitedMillis").asLong()).isLessThan(10_000);
        assertThat(out.body().get("weight").asInt()).as("the traffic weight goes to 0 too").isZero();
        // where traffic is decided: the Service's EndpointSlice has the pod as not ready
        assertThat(sliceEntries(uid)).containsOnly(false);
        Pod live = k().pods().inNamespace(ns).withName(name).get();
        assertThat(live.getMetadata().getLabels()).containsEntry("noah.io/traffic", "out");
        assertThat(live.getStatus().getPhase()).isEqualTo("Running");
        // the gate keeper leaves a pod Noah took out alone
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> sliceEntries(uid).equals(List.of(false)));

        var in = noah.post(podPath(a, name) + "/in-traffic", ADMIN_TOKEN, Map.of("reason", "OPS-1 done"));
        assertThat(in.status()).as(in.raw()).isEqualTo(200);
        assertThat(in.body().get("verified").asBoolean()).as(in.raw()).isTrue();
        assertThat(sliceEntries(uid)).containsOnly(true);
        live = k().pods().inNamespace(ns).withName(name).get();
        assertThat(live.getMetadata().getUid()).as("the same pod, never restarted").isEqualTo(uid);
        assertThat(live.getStatus().getContainerStatuses().getFirst().getRestartCount()).isZero();
        assertThat(live.getMetadata().getLabels()).doesNotContainKey("noah.io/traffic");
        assertThat(live.getMetadata().getAnnotations()).as("the weight it had (none) is back")
                .doesNotContainKeys("noah.io/traffic-weight", "noah.io/traffic-weight-saved");
        assertThat(noah.get(podPath(a, name) + "/traffic", ADMIN_TOKEN).body().get("inTraffic").asBoolean()).isTrue();

        JsonNode audit = noah.get("/api/v1/audit?target=" + podPath(a, name), ADMIN_TOKEN).body();
        assertThat(audit.findValuesAsString("reason")).contains("OPS-1 debugging a slow pod", "OPS-1 done");

        // the gate keeper: a pod with the gate and no condition gets it True
        k().pods().inNamespace(ns).withName(name).status().patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"remove\",\"path\":\"/status/conditions/" + conditionIndex(live, GATE) + "\"}]");
        await().atMost(Duration.ofSeconds(15)).until(() -> "NoahAdmitted".equals(condition(k().pods().inNamespace(ns).withName(name).get(), GATE)));
    }

    private static int conditionIndex(Pod p, String type) {
        var c = p.getStatus().getConditions();
        for (int i = 0; i < c.size(); i++) {
            if (type.equals(c.get(i).getType())) {
                return i;
            }
        }
        throw new AssertionError("no condition " + type);
    }

    /** The reason of the pod's condition of that type when it is True, else null. */
    private static String condition(Pod p, String type) {
        return p.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason() == null ? "" : c.getReason()).findFirst().orElse(null);
    }

    @Test
    void aPodWithoutTheGateIsRefusedWithAProblemAndBadInputGets4xx() {
        Pod pod = deployWithService("nogate", 1, false).getFirst();
        var r = noah.post(podPath(a, pod.getMetadata().getName()) + "/out-of-traffic", ADMIN_TOKEN, Map.of("reason", "x"));
        assertThat(r.status()).as(r.raw()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("no-traffic-gate");
        assertThat(noah.post(podPath(a, "no-such-pod") + "/out-of-traffic", ADMIN_TOKEN, Map.of()).status()).isEqualTo(404);
        assertThat(noah.post(podPath(a, "Bad_Name") + "/isolate", ADMIN_TOKEN, Map.of()).code()).isEqualTo("invalid-name");
        assertThat(noah.post(podPath("no-such-cluster", "x") + "/isolate", ADMIN_TOKEN, Map.of()).code()).isEqualTo("cluster-not-found");
        assertThat(noah.post(podPath(a, pod.getMetadata().getName()) + "/isolate", ADMIN_TOKEN, Map.of("ttlSeconds", 1)).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, Map.of("id", "Bad Id")).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, Map.of("id", "m0", "maxUnavailable", "0")).code()).isEqualTo("invalid-argument");
        assertThat(noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, Map.of("id", "m0", "clusters", List.of("nope"))).code()).isEqualTo("unknown-pool");
        assertThat(noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, Map.of("id", "m0", "selector", "a in (")).code())
                .isEqualTo("invalid-label-selector");
        // a bare pod: nothing would replace it
        k().pods().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("bare").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.local/bare:1").endContainer().endSpec().build()).create();
        var bare = noah.post(podPath(a, "bare") + "/isolate", ADMIN_TOKEN, Map.of("reason", "x"));
        assertThat(bare.status()).as(bare.raw()).isEqualTo(409);
        assertThat(bare.code()).isEqualTo("not-isolatable");
        // read-only roles may not
        String viewer = noah.token("life-viewer-" + ns, "VIEWER", null);
        assertThat(noah.post(podPath(a, pod.getMetadata().getName()) + "/isolate", viewer, Map.of()).status()).isEqualTo(403);
    }

    @Test
    void isolatingAPodKeepsItRunningWhileItsDeploymentReplacesItAndItIsDeletedAfterItsExpiry() {
        List<Pod> before = deployWithService("iso", 3, false);
        Pod victim = before.getFirst();
        String name = victim.getMetadata().getName();
        Set<String> others = before.stream().skip(1).map(p -> p.getMetadata().getName()).collect(Collectors.toSet());

        var r = noah.post(podPath(a, name) + "/isolate", ADMIN_TOKEN, Map.of("ttlSeconds", 15, "reason", "INC-7 heap dump"));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.body().get("deployment").asString()).isEqualTo("iso");
        assertThat(r.body().get("replaced").asBoolean()).as(r.raw()).isTrue();
        assertThat(r.body().get("originalLabels").get("app").asString()).isEqualTo("iso");

        Pod isolated = k().pods().inNamespace(ns).withName(name).get();
        assertThat(isolated.getMetadata().getUid()).isEqualTo(victim.getMetadata().getUid());
        assertThat(isolated.getStatus().getPhase()).isEqualTo("Running");
        assertThat(isolated.getMetadata().getLabels()).containsEntry("name-bk", "iso").containsEntry("pod-status", "isolate")
                .doesNotContainKeys("app", "pod-template-hash");
        assertThat(isolated.getMetadata().getOwnerReferences()).isNullOrEmpty();
        Map<String, Object> original = JsonMapper.builder().build().readValue(isolated.getMetadata().getAnnotations().get("noah.io/original-labels"), new tools.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(original).containsEntry("app", "iso").containsKey("pod-template-hash");
        assertThat(sliceEntries(isolated.getMetadata().getUid())).as("out of the Service").doesNotContain(true);

        // the Deployment is back at 3 ready with a new pod; the ReplicaSet never scales down another pod because of it
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> {
            Set<String> now = Workloads.readyPods(k(), ns, "iso").stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
            return now.size() == 3 && now.containsAll(others) && !now.contains(name)
                    && k().pods().inNamespace(ns).withName(name).get() != null;
        });
        JsonNode listed = noah.get("/api/v1/isolated-pods?namespace=" + ns, ADMIN_TOKEN).body();
        assertThat(listed.findValuesAsString("pod")).containsExactly(name);
        assertThat(noah.post(podPath(a, name) + "/isolate", ADMIN_TOKEN, Map.of()).code()).isEqualTo("not-isolatable");

        // expiry: deleted by Noah, audited as Noah's
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                .until(() -> k().pods().inNamespace(ns).withName(name).get() == null);
        JsonNode audit = noah.get("/api/v1/audit?target=/api/v1/isolated-pods/" + a + "/" + ns + "/" + name, ADMIN_TOKEN).body();
        assertThat(audit.findValuesAsString("actor")).contains("noah:lifecycle");
        assertThat(Workloads.readyPods(k(), ns, "iso")).hasSize(3);

        // several at once
        List<String> two = Workloads.readyPods(k(), ns, "iso").stream().limit(2).map(p -> p.getMetadata().getName()).toList();
        for (String p : two) {
            assertThat(noah.post(podPath(a, p) + "/isolate", ADMIN_TOKEN, Map.of("reason", "INC-8")).status()).isEqualTo(200);
        }
        var deleted = noah.post("/api/v1/isolated-pods/delete", ADMIN_TOKEN, Map.of("cluster", a, "namespace", ns, "reason", "INC-8 closed"));
        assertThat(deleted.status()).as(deleted.raw()).isEqualTo(200);
        assertThat(deleted.body().findValuesAsString("pod")).containsExactlyInAnyOrderElementsOf(two);
        await().atMost(Duration.ofSeconds(30)).until(() -> two.stream().allMatch(p -> k().pods().inNamespace(ns).withName(p).get() == null));
        assertThat(noah.get("/api/v1/isolated-pods?namespace=" + ns, ADMIN_TOKEN).body()).isEmpty();
    }

    @Test
    void maintenancePdbsCoverEveryDeploymentInScopeWithoutOverlapAndAnEvictionRespectsThemThenRemovalLeavesNothing() {
        // pay's pods become Ready 8 s after they start (KWOK's ready delay): a replacement does not restore the budget at once
        Deployment pay = Workloads.deployment("pay", 4);
        pay.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("pod-ready.stage.kwok.x-k8s.io/delay", "8s"));
        deployWithService(pay, false);
        deployWithService("cart", 3, false);
        deployWithService("legacy", 2, false);
        List<Pod> mixed = deployWithService("mixed", 2, false);
        // an existing PDB covering legacy's template; one selecting only one of mixed's pods
        k().policy().v1().podDisruptionBudget().inNamespace(ns).resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("legacy-own")
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "legacy").endSelector()
                .withMinAvailable(new IntOrString(1)).endSpec().build()).create();
        k().pods().inNamespace(ns).withName(mixed.getFirst().getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"pinned\":\"yes\"}}}");
        k().policy().v1().podDisruptionBudget().inNamespace(ns).resource(new PodDisruptionBudgetBuilder().withNewMetadata().withName("pinned")
                .endMetadata().withNewSpec().withNewSelector().addToMatchLabels("pinned", "yes").endSelector()
                .withMaxUnavailable(new IntOrString(0)).endSpec().build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> noah.get("/api/v1/pods?cluster=" + a + "&namespace=" + ns + "&labelSelector=pinned%3Dyes",
                ADMIN_TOKEN).body().get("items").size() == 1);

        String id = "kernel-" + ns.substring(ns.length() - 6);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("clusters", List.of(a));
        body.put("namespaces", List.of(ns));
        body.put("selector", "app in (pay,cart,legacy,mixed)"); // the other tests' Deployments share the namespace
        body.put("dryRun", true);
        body.put("reason", "CHG-9 kernel upgrade");
        var plan = noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, body);
        assertThat(plan.status()).as(plan.raw()).isEqualTo(200);
        Map<String, String> actions = new HashMap<>();
        Map<String, Integer> minHealthy = new HashMap<>();
        plan.body().get("items").forEach(i -> {
            actions.put(i.get("deployment").asString(), i.get("action").asString());
            minHealthy.put(i.get("deployment").asString(), i.get("minHealthy").asInt());
        });
        assertThat(actions).containsOnly(Map.entry("pay", "create"), Map.entry("cart", "create"), Map.entry("legacy", "covered"),
                Map.entry("mixed", "overlap"));
        assertThat(minHealthy).containsEntry("pay", 2).containsEntry("cart", 1); // 50 % of 3 rounds up to 2 unavailable, as Kubernetes does
        assertThat(k().policy().v1().podDisruptionBudget().inNamespace(ns).withLabel("noah.io/maintenance", id).list().getItems()).isEmpty();

        body.put("dryRun", false);
        var created = noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().get("counts").get("created").asInt()).isEqualTo(2);
        assertThat(created.body().get("counts").get("overlap").asInt()).isEqualTo(1);
        assertThat(noah.post("/api/v1/maintenance-pdbs", ADMIN_TOKEN, body).body().get("counts").get("exists").asInt()).isEqualTo(2);

        // the disruption controller agrees with the numbers Noah reported
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode pdbs = noah.get("/api/v1/maintenance-pdbs/" + id, ADMIN_TOKEN).body().get("items");
            assertThat(pdbs).hasSize(2);
            pdbs.forEach(p -> {
                assertThat(p.get("desiredHealthy").asInt()).isEqualTo(minHealthy.get(p.get("deployment").asString()));
                assertThat(p.get("disruptionsAllowed").asInt()).isEqualTo(p.get("currentHealthy").asInt() - p.get("desiredHealthy").asInt());
            });
        });
        // no pod is under two PDBs
        var allPdbs = k().policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems();
        for (Pod p : k().pods().inNamespace(ns).list().getItems()) {
            long under = allPdbs.stream().filter(b -> io.noah.cluster.ops.Selectors.matches(b.getSpec().getSelector(), p.getMetadata().getLabels())).count();
            assertThat(under).as(p.getMetadata().getName()).isLessThanOrEqualTo(1);
        }

        // an eviction (what a drain does) respects the budget: pay may lose 2 of 4, the third is refused
        List<Boolean> evicted = Workloads.readyPods(k(), ns, "pay").stream().limit(3).map(p -> k().pods().inNamespace(ns).withName(p.getMetadata().getName()).evict()).toList();
        assertThat(evicted).containsExactly(true, true, false);

        var removed = noah.send("DELETE", "/api/v1/maintenance-pdbs/" + id, ADMIN_TOKEN, null);
        assertThat(removed.status()).as(removed.raw()).isEqualTo(200);
        assertThat(removed.body().get("deleted").asInt()).isEqualTo(2);
        assertThat(removed.body().get("complete").asBoolean()).isTrue();
        assertThat(k().policy().v1().podDisruptionBudget().inAnyNamespace().withLabel("noah.io/maintenance", id).list().getItems()).isEmpty();
        assertThat(k().policy().v1().podDisruptionBudget().inNamespace(ns).withName("legacy-own").get()).isNotNull();
    }

    /** The racks the app's running pods are on, from the nodes' labels. */
    private Set<String> racks(String app) {
        Map<String, String> rackOf = new HashMap<>();
        k().nodes().list().getItems().forEach(n -> rackOf.put(n.getMetadata().getName(), n.getMetadata().getLabels().get("rack")));
        return Workloads.readyPods(k(), ns, app).stream().map(p -> rackOf.get(p.getSpec().getNodeName())).collect(Collectors.toCollection(TreeSet::new));
    }

    private boolean listedUnderSpread(String app) {
        JsonNode r = noah.get("/api/v1/rack-spread?cluster=" + a, ADMIN_TOKEN).body();
        Set<String> apps = new HashSet<>();
        r.get("underSpread").forEach(x -> {
            if (x.get("namespace").asString().equals(ns)) {
                apps.add(x.get("app").asString());
            }
        });
        return apps.contains(app);
    }

    @Test
    void aReleaseSpreadsAnAppOverBothRacksAndGivesItTheHealthChecksOfItsType() {
        // all four pods on rack-1 (preferred affinity)
        Deployment d = Workloads.deployment("spread", 4);
        d.getSpec().getTemplate().getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewNodeAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100).withNewPreference()
                .addNewMatchExpression().withKey("rack").withOperator("In").withValues("rack-1").endMatchExpression()
                .endPreference().endPreferredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        k().apps().deployments().inNamespace(ns).resource(d).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k(), ns, "spread") == 4);
        assertThat(racks("spread")).containsExactly("rack-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> listedUnderSpread("spread"));
        JsonNode report = noah.get("/api/v1/rack-spread?cluster=" + a, ADMIN_TOKEN).body();
        assertThat(report.get("racks").get(a).values().stream().map(JsonNode::asString).toList())
                .as("the tainted overlap node's rack does not count").containsExactly("rack-1", "rack-2");

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("app", "spread");
        body.put("namespace", ns);
        body.put("version", "v2");
        body.put("images", Map.of("main", "registry.local/spread:1"));
        body.put("pools", List.of(a));
        body.put("batches", List.of(4));
        body.put("gate", "auto");
        body.put("rackSpread", "required");
        body.put("trafficGate", true);
        body.put("appType", "tomcat");
        body.put("reason", "CHG-11 spread over racks");
        var unknown = new LinkedHashMap<>(body);
        unknown.put("appType", "cobol");
        var bad = noah.post("/api/v1/releases", ADMIN_TOKEN, unknown);
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        var created = noah.post("/api/v1/releases", ADMIN_TOKEN, body);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        String id = created.body().get("id").asString();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(noah.get("/api/v1/releases/" + id, ADMIN_TOKEN).body().get("state").asString())
                        .as(() -> noah.get("/api/v1/releases/" + id, ADMIN_TOKEN).raw() + " pods "
                                + k().pods().inNamespace(ns).withLabel("app", "spread").list().getItems().stream()
                                .map(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName() + ":" + p.getStatus().getPhase()).toList())
                        .isEqualTo("succeeded"));

        await().atMost(Duration.ofSeconds(30)).until(() -> Workloads.readyReplicas(k(), ns, "spread-v2") == 4);
        assertThat(racks("spread")).containsExactly("rack-1", "rack-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> !listedUnderSpread("spread"));
        Deployment released = k().apps().deployments().inNamespace(ns).withName("spread-v2").get();
        var spec = released.getSpec().getTemplate().getSpec();
        assertThat(spec.getTopologySpreadConstraints()).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("rack");
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
        });
        assertThat(spec.getReadinessGates()).extracting(PodReadinessGate::getConditionType).containsExactly(GATE);
        var main = spec.getContainers().getFirst();
        assertThat(main.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(main.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8080);
        assertThat(main.getStartupProbe().getFailureThreshold()).isEqualTo(60);
        assertThat(released.getMetadata().getLabels()).containsEntry("noah.io/app-type", "tomcat");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode health = noah.get("/api/v1/apps/spread/health-checks?namespace=" + ns, ADMIN_TOKEN).body().get("deployments");
            assertThat(health).hasSize(1);
            assertThat(health.get(0).get("appType").asString()).isEqualTo("tomcat");
            assertThat(health.get(0).get("typeKnown").asBoolean()).isTrue();
            assertThat(health.get(0).get("passing").asBoolean()).isTrue();
        });

        // a new app created through a release gets the probes of its type
        Map<String, Object> fresh = new LinkedHashMap<>();
        fresh.put("app", "fresh");
        fresh.put("namespace", ns);
        fresh.put("version", "v1");
        fresh.put("images", Map.of("main", "registry.local/fresh:1"));
        fresh.put("pools", List.of(b));
        fresh.put("batches", List.of(2));
        fresh.put("replicas", 2);
        fresh.put("gate", "auto");
        fresh.put("appType", "rpc");
        fresh.put("reason", "CHG-12 new service");
        var f = noah.post("/api/v1/releases", ADMIN_TOKEN, fresh);
        assertThat(f.status()).as(f.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(stack.client(b), ns, "fresh-v1") == 2);
        var probe = stack.client(b).apps().deployments().inNamespace(ns).withName("fresh-v1").get().getSpec().getTemplate().getSpec()
                .getContainers().getFirst();
        assertThat(probe.getReadinessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(20880);
        assertThat(probe.getLivenessProbe().getInitialDelaySeconds()).isEqualTo(30);
    }
}
