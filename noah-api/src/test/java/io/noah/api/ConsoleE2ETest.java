package io.noah.api;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch exec through the REST API on both local clusters: KWOK runs each command on this host (as the pod's stand-in),
 * with NOAH_CLUSTER set to the cluster's name, so pods answer differently per cluster; a directory of the test's own
 * decides which pod fails or hangs (the first to make a directory) and logs when each command ran.
 */
class ConsoleE2ETest extends TwoClustersE2E {

    private final Path dir = Path.of("/tmp/noah-e2e-exec-" + UUID.randomUUID().toString().substring(0, 8));

    ConsoleE2ETest() {
        super("console");
    }

    @BeforeAll
    void deploy() throws IOException {
        Files.createDirectories(dir);
        dir.toFile().setWritable(true, false);
        for (String c : List.of(a, b)) {
            stack.client(c).apps().deployments().inNamespace(ns).resource(Workloads.deployment("web", 3)).create();
        }
        Deployment nonroot = Workloads.deployment("nonroot", 1);
        nonroot.getSpec().getTemplate().getSpec().getContainers().getFirst().setName("nonroot");
        stack.client(a).apps().deployments().inNamespace(ns).resource(nonroot).create();
        for (String c : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(stack.client(c), ns, "web") == 3);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(stack.client(a), ns, "nonroot") == 1);
        // Noah's caches have them
        await().atMost(Duration.ofSeconds(20)).until(() -> noah.get("/api/v1/pods?namespace=" + ns + "&phase=Running", ADMIN_TOKEN)
                .body().get("items").size() == 7);
    }

    @AfterAll
    void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Map<String, Object> job(String deployment, List<String> command, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("targets", Map.of("namespace", ns, "deployment", deployment));
        body.put("command", command);
        body.put("reason", "OPS-7 checking the web tier");
        body.putAll(extra);
        return body;
    }

    private JsonNode awaitEnd(String id, String token) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !noah.get("/api/v1/exec-jobs/" + id, token).body().get("state").asString().equals("running"));
        return noah.get("/api/v1/exec-jobs/" + id + "?outcomes=true", token).body();
    }

    @Test
    void resultsAreGroupedAcrossClustersWithAFailingAndASlowPodAndConcurrencyNeverExceedsTheFanOut() throws Exception {
        Path d = dir.resolve("groups");
        Files.createDirectories(d);
        String script = "d=" + d + "; if mkdir $d/fail 2>/dev/null; then echo boom >&2; exit 3; fi;"
                + " if mkdir $d/slow 2>/dev/null; then sleep 20; fi;"
                + " echo start $(date +%s%N) >> $d/log; sleep 0.4; echo end $(date +%s%N) >> $d/log; echo $NOAH_CLUSTER";
        var started = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("sh", "-c", script),
                Map.of("fanOut", 2, "perCluster", 2, "timeoutSeconds", 4)));
        assertThat(started.status()).as(started.raw()).isEqualTo(201);
        String id = started.body().get("id").asString();
        assertThat(started.body().get("total").asInt()).isEqualTo(6);
        assertThat(started.body().get("state").asString()).isEqualTo("running");

        // progress as server-sent events, ending with the grouped result
        List<String> lines = noah.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port()
                        + "/api/v1/exec-jobs/" + id + "/events")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofLines()).body().toList();
        assertThat(lines).contains("event:result");

        JsonNode job = awaitEnd(id, ADMIN_TOKEN);
        assertThat(job.get("state").asString()).isEqualTo("done");
        assertThat(job.get("finished").asInt()).isEqualTo(6);
        assertThat(job.get("counts").get("success").asInt()).isEqualTo(4);
        assertThat(job.get("counts").get("exit").asInt()).isEqualTo(1);
        assertThat(job.get("counts").get("timeout").asInt()).isEqualTo(1);
        Map<String, JsonNode> groups = new HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        job.get("groups").forEach(g -> {
            groups.put(g.get("outcome").asString() + ":" + g.get("stdout").asString().trim(), g);
            sizes.add(g.get("count").asInt());
        });
        assertThat(sizes).as("largest group first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        JsonNode exit = groups.get("exit:");
        assertThat(exit.get("exitCode").asInt()).isEqualTo(3);
        assertThat(exit.get("stderr").asString()).isEqualTo("boom\n");
        assertThat(groups.get("timeout:").get("reason").asString()).contains("no exit within 4 s");
        int ok = 0;
        for (String c : List.of(a, b)) {
            JsonNode g = groups.get("success:" + c);
            if (g != null) {
                ok += g.get("count").asInt();
                assertThat(g.get("pods").asString()).startsWith(c + "/web-");
                g.get("targets").forEach(t -> assertThat(t.asString()).startsWith(c + "/web-"));
            }
        }
        assertThat(ok).isEqualTo(4);
        // the per-pod outcomes; a diff against the largest group for the others
        assertThat(job.get("outcomes")).hasSize(6);
        JsonNode smaller = job.get("groups").get(1);
        assertThat(smaller.get("diff").size()).isPositive();

        // the peak concurrency measured on the host (intervals of the commands that ran) and as Noah counted it
        List<long[]> events = new ArrayList<>();
        for (String l : Files.readAllLines(d.resolve("log"))) {
            String[] p = l.split(" ");
            events.add(new long[]{Long.parseLong(p[1]), p[0].equals("start") ? 1 : -1});
        }
        events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        int now = 0;
        int peak = 0;
        for (long[] e : events) {
            now += (int) e[1];
            peak = Math.max(peak, now);
        }
        assertThat(peak).as("commands running at once on the host").isBetween(1, 2);
        assertThat(job.get("peakConcurrency").asInt()).isBetween(1, 2);
    }

    @Test
    void cancelKeepsWhatFinishedAndReportsTheRestAsCancelled() throws Exception {
        Path d = dir.resolve("cancel");
        Files.createDirectories(d);
        String script = "if mkdir " + d + "/first 2>/dev/null; then echo quick; else sleep 30; fi";
        var started = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("sh", "-c", script),
                Map.of("fanOut", 1, "timeoutSeconds", 60, "targets", Map.of("namespace", ns, "deployment", "web", "clusters", List.of(a)))));
        assertThat(started.status()).as(started.raw()).isEqualTo(201);
        String id = started.body().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> noah.get("/api/v1/exec-jobs/" + id, ADMIN_TOKEN).body().get("finished").asInt() == 1);
        var cancelled = noah.post("/api/v1/exec-jobs/" + id + "/cancel", ADMIN_TOKEN, Map.of("reason", "enough"));
        assertThat(cancelled.status()).as(cancelled.raw()).isEqualTo(200);
        JsonNode job = awaitEnd(id, ADMIN_TOKEN);
        assertThat(job.get("state").asString()).isEqualTo("cancelled");
        assertThat(job.get("counts").get("success").asInt()).isEqualTo(1);
        assertThat(job.get("counts").get("cancelled").asInt()).isEqualTo(2);
        List<String> reasons = new ArrayList<>();
        job.get("groups").forEach(g -> reasons.add(g.get("outcome").asString() + ": " + g.path("reason").asString()));
        assertThat(reasons).contains("cancelled: cancelled while running", "cancelled: not run: the job was cancelled");
        assertThat(noah.post("/api/v1/exec-jobs/" + id + "/cancel", ADMIN_TOKEN, Map.of()).code()).isEqualTo("conflict");
        // audited with its command
        var audit = noah.get("/api/v1/audit?target=/api/v1/exec-jobs/" + id, ADMIN_TOKEN);
        assertThat(audit.raw()).contains("exec-job", "sleep 30", "OPS-7 checking the web tier");
    }

    @Test
    void commandsRunAsTheRequestedOsUserAndRefusedUsersAndNonRootContainersGetTypedErrors() {
        JsonNode asApp = awaitEnd(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("id", "-un"),
                Map.of("osUser", "noah-app", "targets", Map.of("namespace", ns, "deployment", "web", "clusters", List.of(b)))))
                .body().get("id").asString(), ADMIN_TOKEN);
        assertThat(asApp.get("groups")).hasSize(1);
        assertThat(asApp.get("groups").get(0).get("stdout").asString()).isEqualTo("noah-app\n");
        assertThat(asApp.get("groups").get(0).get("count").asInt()).isEqualTo(3);

        // no such user: a typed error per pod
        JsonNode ghost = awaitEnd(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("id", "-un"),
                Map.of("osUser", "ghost", "targets", Map.of("namespace", ns, "deployment", "web", "clusters", List.of(b)))))
                .body().get("id").asString(), ADMIN_TOKEN);
        assertThat(ghost.get("groups").get(0).get("outcome").asString()).isEqualTo("error");
        assertThat(ghost.get("groups").get(0).get("reason").asString()).startsWith("no-such-user");

        // a container that runs as nobody cannot switch users
        JsonNode nonroot = awaitEnd(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("nonroot", List.of("id", "-un"), Map.of("osUser", "noah-app")))
                .body().get("id").asString(), ADMIN_TOKEN);
        assertThat(nonroot.get("groups").get(0).get("reason").asString()).startsWith("not-root");
        // ... but runs as itself
        JsonNode self = awaitEnd(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("nonroot", List.of("id", "-un"), Map.of("osUser", "nobody")))
                .body().get("id").asString(), ADMIN_TOKEN);
        assertThat(self.get("groups").get(0).get("stdout").asString()).isEqualTo("nobody\n");

        // a developer: only its apps, never root, its default user when it names none
        String dev = noah.token("console-dev-" + UUID.randomUUID().toString().substring(0, 6), "DEVELOPER", Set.of("web"));
        var refused = noah.post("/api/v1/exec-jobs", dev, job("web", List.of("id", "-un"), Map.of("osUser", "noah-ops")));
        assertThat(refused.status()).as(refused.raw()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("os-user-not-allowed");
        assertThat(noah.post("/api/v1/exec-jobs", dev, job("web", List.of("id", "-un"), Map.of("osUser", "root"))).status()).isEqualTo(403);
        assertThat(noah.post("/api/v1/exec-jobs", dev, job("nonroot", List.of("id", "-un"), Map.of())).status()).isEqualTo(403);
        var mine = noah.post("/api/v1/exec-jobs", dev, job("web", List.of("id", "-un"),
                Map.of("targets", Map.of("namespace", ns, "deployment", "web", "clusters", List.of(a)))));
        assertThat(mine.status()).as(mine.raw()).isEqualTo(201);
        assertThat(mine.body().get("osUser").asString()).isEqualTo("nobody");
        assertThat(awaitEnd(mine.body().get("id").asString(), dev).get("groups").get(0).get("stdout").asString()).isEqualTo("nobody\n");
        String viewer = noah.token("console-viewer-" + UUID.randomUUID().toString().substring(0, 6), "VIEWER", null);
        assertThat(noah.post("/api/v1/exec-jobs", viewer, job("web", List.of("id"), Map.of())).status()).isEqualTo(403);
    }

    @Test
    void badInputGetsAProblem() {
        Map<String, Object> tooMany = job("web", List.of("true"), Map.of("maxTargets", 2));
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, tooMany).code()).isEqualTo("too-many-targets");
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of(), Map.of())).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of(""), Map.of())).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("true"), Map.of("fanOut", 0))).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("true"), Map.of("fanOut", 500))).status()).isEqualTo(400);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("true"), Map.of("fanOut", 2, "perCluster", 3))).status())
                .isEqualTo(400);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("true"), Map.of("osUser", "Robert'); drop"))).status())
                .isEqualTo(400);
        var unknownContainer = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("true"), Map.of("container", "sidecar")));
        assertThat(unknownContainer.status()).as(unknownContainer.raw()).isEqualTo(404);
        var unknownPod = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, Map.of("targets", Map.of("pods", List.of(Map.of("cluster", a,
                "namespace", ns, "name", "nope"))), "command", List.of("true"), "reason", "x"));
        assertThat(unknownPod.status()).as(unknownPod.raw()).isEqualTo(404);
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, Map.of("targets", Map.of("namespace", ns, "deployment", "nothing-here"),
                "command", List.of("true"), "reason", "x")).code()).isEqualTo("empty-selection");
        assertThat(noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, Map.of("targets", Map.of(), "command", List.of("true"), "reason", "x")).status())
                .isEqualTo(400);
        assertThat(noah.get("/api/v1/exec-jobs/" + UUID.randomUUID(), ADMIN_TOKEN).status()).isEqualTo(404);
        var badPodName = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, Map.of("targets", Map.of("pods", List.of(Map.of("cluster", a,
                "namespace", "[\u00fe", "name", "\ud879\udd81"))), "command", List.of("true"), "reason", "x"));
        assertThat(badPodName.code()).as(badPodName.raw()).isEqualTo("validation-failed");
        // what the API fuzzer once found a 500 with (CI of 90b064a): names that are no Kubernetes names reached the API server's URL
        Map<String, Object> terminal = new HashMap<>(Map.of("cluster", a, "namespace", "[\u00fe", "pod", "\ud879\udd81",
                "container", "\u2a3a*{x", "reason", "o"));
        var badTerminal = noah.post("/api/v1/terminals", ADMIN_TOKEN, terminal);
        assertThat(badTerminal.code()).as(badTerminal.raw()).isEqualTo("validation-failed");
        assertThat(badTerminal.body().get("errors").toString()).contains("\"namespace\"", "\"pod\"", "\"container\"");
        terminal.putAll(Map.of("namespace", ns, "pod", "no-such-pod", "container", "main"));
        assertThat(noah.post("/api/v1/terminals", ADMIN_TOKEN, terminal).status()).isEqualTo(404);
    }

    /**
     * Nothing is lost when Noah is killed (SIGKILL) mid-job: the restarted instance marks its job interrupted at start,
     * keeps the outcome that had finished and reports the others as interrupted; a terminal it bridged ends as
     * "instance-stopped". The job is not run again (commands are not idempotent).
     */
    @Test
    void aKilledNoahsJobIsInterruptedWithWhatFinishedKeptAndItsTerminalsEnded() throws Exception {
        Path d = dir.resolve("kill");
        Files.createDirectories(d);
        String script = "if mkdir " + d + "/first 2>/dev/null; then echo quick; else echo again >> " + d + "/runs; sleep 30; fi";
        var started = noah.post("/api/v1/exec-jobs", ADMIN_TOKEN, job("web", List.of("sh", "-c", script),
                Map.of("fanOut", 1, "timeoutSeconds", 60, "targets", Map.of("namespace", ns, "deployment", "web", "clusters", List.of(a)))));
        assertThat(started.status()).as(started.raw()).isEqualTo(201);
        String id = started.body().get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> noah.get("/api/v1/exec-jobs/" + id, ADMIN_TOKEN).body().get("finished").asInt() == 1);
        String pod = Workloads.readyPods(stack.client(a), ns, "web").getFirst().getMetadata().getName();
        var term = noah.post("/api/v1/terminals", ADMIN_TOKEN, Map.of("cluster", a, "namespace", ns, "pod", pod, "reason", "OPS-11"));
        String session = term.body().get("session").get("id").asString();
        TerminalE2ETest.Client c = new TerminalE2ETest.Client();
        c.ws = noah.http().newWebSocketBuilder().buildAsync(java.net.URI.create("ws://127.0.0.1:" + noah.port()
                + term.body().get("websocket").asString()), c).get(10, java.util.concurrent.TimeUnit.SECONDS);
        c.type("echo alive\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("alive"));

        noah.kill9();
        noah.start();
        JsonNode job = awaitEnd(id, ADMIN_TOKEN);
        assertThat(job.get("state").asString()).isEqualTo("interrupted");
        assertThat(job.get("counts").get("success").asInt()).isEqualTo(1);
        assertThat(job.get("counts").get("interrupted").asInt()).isEqualTo(2);
        assertThat(job.get("groups").toString()).contains("quick", "the Noah instance running the job stopped");
        assertThat(Files.readAllLines(d.resolve("runs"))).as("nothing ran again after the restart").hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> noah.get("/api/v1/terminals/" + session, ADMIN_TOKEN).body().path("endedBy")
                .asString("").equals("instance-stopped"));
        // the restarted Noah's caches list the pods and the Deployments again before the next test selects them
        await().atMost(Duration.ofSeconds(30)).until(() -> noah.get("/api/v1/pods?namespace=" + ns + "&phase=Running", ADMIN_TOKEN)
                .body().get("items").size() == 7 && noah.get("/api/v1/deployments?namespace=" + ns, ADMIN_TOKEN).body().get("items").size() == 3);
    }
}
