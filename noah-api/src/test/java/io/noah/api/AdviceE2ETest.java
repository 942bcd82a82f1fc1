package io.noah.api;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Profiling and advice end to end: seven days of 5-minute history written into the stack's VictoriaMetrics (with
 * timestamps, as a scraper would have) for pods of apps that run in the local cluster — a CPU-bound one, a
 * memory-bound one, an IO-bound one, two that peak at the same hours, two that take turns (day and night), an idle
 * one, and one with six hours of history —; then a run of the packaged Noah, and its classes, pairs, affinity,
 * overcommit factor and advice checked against what was written, the evidence queries re-run against the store.
 */
class AdviceE2ETest extends TwoClustersE2E {

    private static final long STEP = 300;
    private static final double GIB = 1024.0 * 1024 * 1024;
    private final HttpClient http = HttpClient.newHttpClient();

    AdviceE2ETest() {
        super("advice");
    }

    /** One app: requests per pod, CPU and memory utilisation of requests by second of day, IO bytes/s per pod, hours of history. */
    private record App(String name, int replicas, String cpu, String memory, DoubleUnaryOperator cpuUse, DoubleUnaryOperator memUse,
                       double ioBytes, long historyHours, Map<String, String> labels) {
    }

    private static DoubleUnaryOperator busy(int from, int to, double high, double low) {
        return sec -> {
            double h = sec / 3600.0;
            boolean in = from < to ? h >= from && h < to : h >= from || h < to;
            return in ? high : low;
        };
    }

    private static DoubleUnaryOperator flat(double v) {
        return sec -> v;
    }

    private final List<App> apps = List.of(
            new App("cpu-hog", 2, "1", "1Gi", sec -> 0.78 + 0.06 * Math.sin(sec / 86400.0 * 2 * Math.PI), flat(0.30), 0, 170,
                    Map.of("noah.io/tier", "core")),
            new App("mem-hog", 2, "500m", "2Gi", flat(0.20), sec -> 0.84 + 0.03 * Math.cos(sec / 86400.0 * 2 * Math.PI), 0, 170,
                    Map.of("noah.io/tier", "core")),
            new App("io-hog", 2, "500m", "1Gi", flat(0.20), flat(0.30), 40 * 1024 * 1024, 170, Map.of()),
            new App("same-a", 2, "500m", "1Gi", busy(10, 14, 0.50, 0.10), flat(0.40), 0, 170, Map.of()),
            new App("same-b", 2, "500m", "1Gi", busy(10, 14, 0.60, 0.20), flat(0.40), 0, 170, Map.of()),
            new App("day", 2, "500m", "1Gi", busy(8, 20, 0.45, 0.15), flat(0.40), 0, 170, Map.of()),
            new App("night", 2, "500m", "1Gi", busy(20, 8, 0.45, 0.15), flat(0.40), 0, 170, Map.of()),
            new App("idle", 2, "1", "4Gi", flat(0.03), flat(0.10), 0, 170, Map.of("noah.io/scaling-mode", "horizontal")),
            new App("newbie", 1, "500m", "1Gi", flat(0.50), flat(0.50), 0, 6, Map.of()));

    @BeforeAll
    void history() throws Exception {
        KubernetesClient k = stack.client(a);
        for (App app : apps) {
            Map<String, String> labels = new HashMap<>(app.labels());
            Deployment d = Workloads.deployment(app.name(), app.replicas());
            d.getMetadata().getLabels().putAll(labels);
            d.getSpec().getTemplate().getSpec().getContainers().getFirst().setResources(new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity(app.cpu())).addToRequests("memory", new Quantity(app.memory())).build());
            k.apps().deployments().inNamespace(ns).resource(d).create();
        }
        // history: two pods per app (gone now: their names are of an older ReplicaSet), a point every 5 minutes
        long now = Instant.now().getEpochSecond() / STEP * STEP;
        StringBuilder lines = new StringBuilder();
        for (App app : apps) {
            double cores = new Quantity(app.cpu()).getNumericalAmount().doubleValue();
            double bytes = new Quantity(app.memory()).getNumericalAmount().doubleValue();
            for (int p = 0; p < 2; p++) {
                String pod = app.name() + "-7f9c8d6b5-old" + p;
                double cpuCounter = 0;
                double ioCounter = 0;
                for (long t = now - app.historyHours() * 3600; t <= now; t += STEP) {
                    double sec = Math.floorMod(t, 86400L);
                    cpuCounter += app.cpuUse().applyAsDouble(sec) * cores * STEP; // the increment ending at t: rate at t is the use at t
                    ioCounter += app.ioBytes() * STEP;
                    String labels = "{cluster=\"" + a + "\",namespace=\"" + ns + "\",pod=\"" + pod + "\",container=\"main\"}";
                    lines.append("container_cpu_usage_seconds_total").append(labels).append(' ').append(cpuCounter).append(' ').append(t * 1000).append('\n');
                    lines.append("container_memory_working_set_bytes").append(labels).append(' ')
                            .append(app.memUse().applyAsDouble(sec) * bytes).append(' ').append(t * 1000).append('\n');
                    if (app.ioBytes() > 0) {
                        lines.append("container_fs_writes_bytes_total").append(labels).append(' ').append(ioCounter).append(' ').append(t * 1000).append('\n');
                    }
                }
            }
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.metricsUrl() + "/api/v1/import/prometheus"))
                .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        http.send(HttpRequest.newBuilder(URI.create(stack.metricsUrl() + "/internal/force_flush")).GET().build(), HttpResponse.BodyHandlers.discarding());
        for (App app : apps) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(k, ns, app.name()) == app.replicas());
        }
        // Noah's cache lists every pod before the run reads the inventory
        await().atMost(Duration.ofSeconds(30)).until(() -> noah.get("/api/v1/pods?cluster=" + a + "&namespace=" + ns + "&limit=100",
                ADMIN_TOKEN).body().get("items").size() == apps.stream().mapToInt(App::replicas).sum());
    }

    private JsonNode run(String reason) {
        var res = await().atMost(Duration.ofSeconds(60)).until(() -> noah.post("/api/v1/advice/runs", ADMIN_TOKEN, Map.of("reason", reason)),
                x -> x.status() != 409 || !x.raw().contains("already running"));
        assertThat(res.status()).as(res.raw()).isEqualTo(202);
        assertThat(res.body().get("state").asString()).isEqualTo("RUNNING");
        String id = res.body().get("id").asString();
        JsonNode done = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> noah.get("/api/v1/advice/runs/" + id, ADMIN_TOKEN).body(), b -> !b.get("state").asString().equals("RUNNING"));
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }

    private Map<String, JsonNode> byApp(JsonNode list, String field) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        list.forEach(x -> {
            if (x.get("namespace").asString().equals(ns)) {
                out.put(x.get(field).asString(), x);
            }
        });
        return out;
    }

    @Test
    void classesPairsOvercommitAndAdviceComeOutAsDesignedWithEvidenceThatReruns() throws Exception {
        JsonNode run = run("weekly review, ticket OPS-17");
        String runId = run.get("id").asString();
        System.out.println("advice run: " + run.get("summary"));

        // profiles: the class follows the fitted normal's 95th percentile of each dimension
        Map<String, JsonNode> profiles = byApp(noah.get("/api/v1/advice/profiles?cluster=" + a + "&namespace=" + ns, ADMIN_TOKEN).body()
                .get("profiles"), "app");
        assertThat(profiles).hasSize(apps.size());
        assertThat(profiles.get("cpu-hog").get("profileClass").asString()).isEqualTo("compute-intensive");
        assertThat(profiles.get("mem-hog").get("profileClass").asString()).isEqualTo("memory-intensive");
        assertThat(profiles.get("io-hog").get("profileClass").asString()).isEqualTo("io-intensive");
        assertThat(profiles.get("idle").get("profileClass").asString()).isEqualTo("balanced");
        assertThat(profiles.get("newbie").get("profileClass").asString()).isEqualTo("insufficient-data");
        assertThat(profiles.get("newbie").get("note").asString()).contains("insufficient data");
        JsonNode hogCpu = profiles.get("cpu-hog").get("cpu");
        assertThat(hogCpu.get("mean").asDouble()).isCloseTo(0.78, within(0.005));
        assertThat(hogCpu.get("fittedP95").asDouble()).isCloseTo(hogCpu.get("mean").asDouble() + 1.6449 * hogCpu.get("std").asDouble(), within(1e-3));
        assertThat(profiles.get("io-hog").get("io").get("mean").asDouble()).isCloseTo(0.8, within(0.01));
        assertThat(profiles.get("cpu-hog").get("coverageHours").asDouble()).isGreaterThanOrEqualTo(167.9);

        // pairs: same-a and same-b peak together (distance 0), day and night are mirror images (2·√24)
        JsonNode pairs = noah.get("/api/v1/advice/pairs?cluster=" + a, ADMIN_TOKEN).body();
        JsonNode top = pairs.get("similar").get(0);
        assertThat(List.of(top.get("appA").asString(), top.get("appB").asString())).containsExactlyInAnyOrder("same-a", "same-b");
        assertThat(top.get("distance").asDouble()).isCloseTo(0, within(1e-3));
        JsonNode far = pairs.get("complementary").get(0);
        assertThat(List.of(far.get("appA").asString(), far.get("appB").asString())).containsExactlyInAnyOrder("day", "night");
        assertThat(far.get("distance").asDouble()).isCloseTo(2 * Math.sqrt(24), within(1e-3));
        // the affinity is ready to apply: the API server takes it in the Deployment's pod template (server-side dry run)
        JsonNode dayAffinity = pairs.get("affinity").get(a + "/" + ns + "/day").get(0);
        assertThat(dayAffinity.get("podAffinity").toString()).contains("night");
        Affinity affinity = Serialization.unmarshal(dayAffinity.toString(), Affinity.class);
        Deployment edited = stack.client(a).apps().deployments().inNamespace(ns).withName("day").dryRun()
                .edit(d -> {
                    d.getSpec().getTemplate().getSpec().setAffinity(affinity);
                    return d;
                });
        assertThat(edited.getSpec().getTemplate().getSpec().getAffinity().getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()
                .getFirst().getPodAffinityTerm().getLabelSelector().getMatchExpressions().getFirst().getValues()).contains("night");

        // overcommit: k = 0.9 × (M + N) / (Tm·M + Tn·N) from the profiles' means and requests
        JsonNode oc = noah.get("/api/v1/advice/overcommit?cluster=" + a, ADMIN_TOKEN).body().get("clusters").get(0);
        double m = 0, n = 0, work = 0;
        for (JsonNode p : profiles.values()) {
            if (p.get("profileClass").asString().equals("insufficient-data")) {
                continue;
            }
            double req = p.get("cpuRequestCores").asDouble() * p.get("containers").asInt();
            boolean core = List.of("cpu-hog", "mem-hog").contains(p.get("app").asString());
            m += core ? 0 : req;
            n += core ? req : 0;
            work += req * p.get("cpu").get("mean").asDouble();
        }
        if (oc.get("apps").asInt() == profiles.size() - 1) { // only this test's apps have history in the cluster now
            assertThat(oc.get("inputs").get("coreCpus").asDouble()).isCloseTo(n, within(1e-6));
            assertThat(oc.get("inputs").get("nonCoreCpus").asDouble()).isCloseTo(m, within(1e-6));
            assertThat(oc.get("inputs").get("k").asDouble()).isCloseTo(0.9 * (m + n) / work, within(1e-3));
        }
        assertThat(oc.get("coreApps").asInt()).isGreaterThanOrEqualTo(2);

        // advice: which apps get which kinds
        JsonNode list = noah.get("/api/v1/advice?cluster=" + a + "&namespace=" + ns, ADMIN_TOKEN).body();
        assertThat(list.get("run").get("id").asString()).isEqualTo(runId);
        Map<String, List<String>> kinds = new LinkedHashMap<>();
        list.get("items").forEach(i -> kinds.computeIfAbsent(i.get("advice").get("app").asString(), x -> new ArrayList<>())
                .add(i.get("advice").get("kind").asString()));
        assertThat(kinds.get("cpu-hog")).containsExactlyInAnyOrder("cpu-up-vertical", "memory-down-vertical");
        assertThat(kinds.get("mem-hog")).containsExactlyInAnyOrder("memory-up-vertical");
        assertThat(kinds.get("idle")).containsExactlyInAnyOrder("cpu-down-horizontal", "memory-down-vertical");
        assertThat(kinds.get("same-b")).containsExactlyInAnyOrder("memory-down-vertical");
        assertThat(kinds).doesNotContainKey("newbie");

        JsonNode up = item(list, "cpu-hog", "cpu-up-vertical");
        double peak = up.get("evidence").get("value").asDouble();
        assertThat(peak).isCloseTo(0.84, within(0.002));
        assertThat(up.get("confidenceLevel").asString()).isEqualTo("high");
        assertThat(up.get("current").asDouble()).isEqualTo(1.0);
        double sizing = Math.max(up.get("evidence").get("p99").asDouble() * 1.15, peak);
        assertThat(up.get("suggested").asDouble()).isCloseTo(Math.ceil(sizing / 0.7 * 100 - 1e-9) / 100, within(1e-9));
        assertThat(up.get("rank").asDouble()).isCloseTo(1.0 * (peak - 0.7) * 2, within(1e-6));
        // the evidence re-run against the store gives the numbers shown
        JsonNode ev = up.get("evidence");
        double[] series = range(ev.get("query").asString(), Instant.parse(ev.get("start").asString()), Instant.parse(ev.get("end").asString()),
                ev.get("stepSeconds").asLong());
        assertThat(java.util.Arrays.stream(series).filter(Double::isFinite).max().orElseThrow()).isCloseTo(peak, within(1e-6));
        assertThat(java.util.Arrays.stream(series).filter(Double::isFinite).count()).isEqualTo(ev.get("points").asLong());

        JsonNode idleCpu = item(list, "idle", "cpu-down-horizontal");
        assertThat(idleCpu.get("current").asDouble()).isEqualTo(2);
        assertThat(idleCpu.get("suggested").asDouble()).isEqualTo(1);
        assertThat(idleCpu.get("savedCpuCores").asDouble()).isEqualTo(1.0);
        assertThat(idleCpu.get("rank").asDouble()).isCloseTo(1.0 * ((1 - 0.03) - 0.7) * 2, within(1e-3));
        JsonNode memHog = item(list, "mem-hog", "memory-up-vertical");
        assertThat(memHog.get("evidence").get("value").asDouble()).isCloseTo(0.87, within(0.002));
        assertThat(memHog.get("suggested").asDouble()).isGreaterThan(2 * GIB);

        // memory down ranked by idle memory = memory × (free − 20 %) × containers, highest first
        List<JsonNode> memDown = new ArrayList<>();
        noah.get("/api/v1/advice?namespace=" + ns + "&kind=memory-down-vertical", ADMIN_TOKEN).body().get("items").forEach(i -> memDown.add(i.get("advice")));
        assertThat(memDown.getFirst().get("app").asString()).isEqualTo("idle"); // 4 GiB × (0.9 − 0.2) × 2
        assertThat(memDown.getFirst().get("rank").asDouble() / GIB).isCloseTo(4 * (0.9 - 0.2) * 2, within(1e-3));
        for (int i = 1; i < memDown.size(); i++) {
            JsonNode x = memDown.get(i);
            double expect = x.get("current").asDouble() * ((1 - x.get("evidence").get("value").asDouble()) - 0.2) * x.get("containers").asInt();
            assertThat(x.get("rank").asDouble()).isCloseTo(expect, within(1.0));
            assertThat(x.get("rank").asDouble()).isLessThanOrEqualTo(memDown.get(i - 1).get("rank").asDouble());
        }

        // dismissed with a reason (audited); the next run keeps it dismissed
        long dismissId = itemId(list, "same-b", "memory-down-vertical");
        var dismissed = noah.post("/api/v1/advice/" + dismissId + "/dismiss", ADMIN_TOKEN, Map.of("reason", "sized for the sale on Friday"));
        assertThat(dismissed.status()).as(dismissed.raw()).isEqualTo(200);
        assertThat(dismissed.body().get("state").asString()).isEqualTo("dismissed");
        var done = noah.post("/api/v1/advice/" + itemId(list, "mem-hog", "memory-up-vertical") + "/done", ADMIN_TOKEN, Map.of("reason", "CHG-88 applied"));
        assertThat(done.body().get("state").asString()).isEqualTo("done");
        JsonNode audit = noah.get("/api/v1/audit?target=/api/v1/advice/" + dismissId, ADMIN_TOKEN).body();
        assertThat(audit.toString()).contains("sized for the sale on Friday");
        run("second run");
        JsonNode again = noah.get("/api/v1/advice?namespace=" + ns + "&app=same-b&kind=memory-down-vertical", ADMIN_TOKEN).body().get("items").get(0);
        assertThat(again.get("runId").asString()).isNotEqualTo(runId);
        assertThat(again.get("state").asString()).isEqualTo("dismissed");
        assertThat(again.get("stateReason").asString()).isEqualTo("sized for the sale on Friday");
        assertThat(noah.get("/api/v1/advice?namespace=" + ns + "&state=dismissed", ADMIN_TOKEN).body().get("items")).hasSize(1);
        // the first run's results stay readable by id
        assertThat(noah.get("/api/v1/advice/profiles?run=" + runId + "&namespace=" + ns + "&class=io-intensive", ADMIN_TOKEN).body()
                .get("profiles")).hasSize(1);
    }

    @Test
    void badInputIsAProblem() {
        assertThat(noah.get("/api/v1/advice?kind=cpu-sideways", ADMIN_TOKEN).code()).isEqualTo("invalid-parameter");
        assertThat(noah.get("/api/v1/advice?state=maybe", ADMIN_TOKEN).code()).isEqualTo("invalid-parameter");
        assertThat(noah.get("/api/v1/advice/profiles?class=lazy", ADMIN_TOKEN).code()).isEqualTo("invalid-parameter");
        assertThat(noah.get("/api/v1/advice/runs/adv-nope", ADMIN_TOKEN).status()).isEqualTo(404);
        assertThat(noah.get("/api/v1/advice/profiles?run=adv-nope", ADMIN_TOKEN).status()).isEqualTo(404);
        var noReason = noah.post("/api/v1/advice/1/dismiss", ADMIN_TOKEN, Map.of());
        assertThat(noReason.status()).as(noReason.raw()).isEqualTo(400);
        assertThat(noah.post("/api/v1/advice/x1/done", ADMIN_TOKEN, Map.of("reason", "r")).code()).isEqualTo("invalid-parameter");
        assertThat(noah.post("/api/v1/advice/999999999/done", ADMIN_TOKEN, Map.of("reason", "r")).status()).isEqualTo(404);
        assertThat(noah.post("/api/v1/advice/runs", ADMIN_TOKEN, Map.of("windowDays", 0)).status()).isEqualTo(400);
        String viewer = noah.token("advice-viewer", "VIEWER", java.util.Set.of());
        assertThat(noah.post("/api/v1/advice/runs", viewer, Map.of("reason", "x")).status()).isEqualTo(403);
    }

    private static JsonNode item(JsonNode list, String app, String kind) {
        for (JsonNode i : list.get("items")) {
            if (i.get("advice").get("app").asString().equals(app) && i.get("advice").get("kind").asString().equals(kind)) {
                return i.get("advice");
            }
        }
        throw new AssertionError("no " + kind + " for " + app + " in " + list);
    }

    private static long itemId(JsonNode list, String app, String kind) {
        for (JsonNode i : list.get("items")) {
            if (i.get("advice").get("app").asString().equals(app) && i.get("advice").get("kind").asString().equals(kind)) {
                return i.get("id").asLong();
            }
        }
        throw new AssertionError("no " + kind + " for " + app);
    }

    private double[] range(String query, Instant start, Instant end, long step) throws Exception {
        String form = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + start.getEpochSecond() + "&end="
                + end.getEpochSecond() + "&step=" + step + "s";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.metricsUrl() + "/api/v1/query_range"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode values = tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.body()).get("data").get("result").get(0).get("values");
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(values.get(i).get(1).asString());
        }
        return out;
    }
}
