package io.noah.api;

import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Web terminals through a real websocket client (the JDK's) against Noah, bridged to the exec subresource of a local cluster. */
class TerminalE2ETest extends TwoClustersE2E {

    private String pod;

    TerminalE2ETest() {
        super("term");
    }

    @BeforeAll
    void deploy() {
        stack.client(a).apps().deployments().inNamespace(ns).resource(Workloads.deployment("shell", 1)).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(stack.client(a), ns, "shell") == 1);
        pod = Workloads.readyPods(stack.client(a), ns, "shell").getFirst().getMetadata().getName();
        await().atMost(Duration.ofSeconds(20)).until(() -> noah.get("/api/v1/pods?namespace=" + ns, ADMIN_TOKEN).body().get("items").size() == 1);
    }

    /** A websocket client keeping what it receives: terminal output, text events, the close code. */
    static final class Client implements WebSocket.Listener {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket ws;

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (out) {
                out.writeBytes(b);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closed.complete(code);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.complete(-1);
        }

        /** Everything the terminal printed so far. */
        String output() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String s) {
            ws.sendText("0" + s, true).join();
        }
    }

    private JsonNode create(Map<String, Object> extra) {
        var body = new java.util.LinkedHashMap<String, Object>(Map.of("cluster", a, "namespace", ns, "pod", pod, "reason", "OPS-9 looking at logs"));
        body.putAll(extra);
        var r = noah.post("/api/v1/terminals", ADMIN_TOKEN, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.body();
    }

    private Client connect(JsonNode created, String origin) throws Exception {
        return connect(noah.port(), created, origin);
    }

    /** To the instance on {@code port}: a ticket is redeemed by whichever instance the websocket reaches. */
    private Client connect(int port, JsonNode created, String origin) throws Exception {
        Client c = new Client();
        var b = noah.http().newWebSocketBuilder();
        if (origin != null) {
            b.header("Origin", origin);
        }
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + created.get("websocket").asString() + "&cols=80&rows=24"), c)
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    private double openExecs() {
        String metrics = noah.get("/actuator/prometheus", ADMIN_TOKEN).raw();
        return metrics.lines().filter(l -> l.startsWith("noah_console_exec_open")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aTtySessionRunsCommandsResizesAndEndsWithTheShellsExitCodeAndItsTicketWorksOnce() throws Exception {
        JsonNode created = create(Map.of("record", true));
        String id = created.get("session").get("id").asString();
        Client c = connect(created, "http://127.0.0.1:" + noah.port());
        c.type("echo hello-$((40+2))\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("hello-42"));
        c.type("stty size\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("24 80"));
        c.ws.sendText("1{\"cols\":120,\"rows\":40}", true).join();
        c.type("stty size\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("40 120"));
        // open sessions are listed
        assertThat(noah.get("/api/v1/terminals", ADMIN_TOKEN).raw()).contains(id);
        c.type("exit 7\r");
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(c.events).anySatisfy(e -> assertThat(e).contains("\"endedBy\":\"exit\"", "\"exit\":\"7\""));
        JsonNode ended = noah.get("/api/v1/terminals/" + id, ADMIN_TOKEN).body();
        assertThat(ended.get("exit").asString()).isEqualTo("7");
        assertThat(ended.get("bytesIn").asLong()).isPositive();
        assertThat(ended.get("bytesOut").asLong()).isPositive();
        // the recording, asciicast v2
        var rec = noah.get("/api/v1/terminals/" + id + "/recording", ADMIN_TOKEN);
        assertThat(rec.status()).isEqualTo(200);
        assertThat(rec.raw().lines().findFirst().orElseThrow()).contains("\"version\":2", "\"width\":80");
        assertThat(rec.raw()).contains("hello-42");
        // audited with what it was
        assertThat(noah.get("/api/v1/audit?target=/api/v1/terminals/" + id, ADMIN_TOKEN).raw())
                .contains("terminal-session", "OPS-9 looking at logs", "exit 7", pod);

        // the ticket works once
        Client again = connect(created, null);
        assertThat(again.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    }

    @Test
    void aWrongOriginIsRefusedAndAVanishedClientEndsItsExecWithinFiveSeconds() throws Exception {
        JsonNode evil = create(Map.of());
        assertThatThrownBy(() -> connect(evil, "http://evil.example")).hasStackTraceContaining("status code 403");

        double baseline = openExecs();
        JsonNode created = create(Map.of());
        String id = created.get("session").get("id").asString();
        Client c = connect(created, null);
        c.type("echo ready\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("ready"));
        assertThat(openExecs()).isEqualTo(baseline + 1);
        long t0 = System.nanoTime();
        c.ws.abort();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> noah.get("/api/v1/terminals/" + id, ADMIN_TOKEN).body().get("endedBy").asString().equals("client-gone"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> openExecs() == baseline);
        assertThat(noah.get("/api/v1/terminals/" + id, ADMIN_TOKEN).body().get("exit").asString()).isEqualTo("unknown");
    }

    @Test
    void anAdminEndsASessionAndBadRequestsGetProblems() throws Exception {
        JsonNode created = create(Map.of());
        String id = created.get("session").get("id").asString();
        Client c = connect(created, null);
        c.type("echo up\r");
        await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("up"));
        assertThat(noah.send("DELETE", "/api/v1/terminals/" + id, ADMIN_TOKEN, null).status()).isEqualTo(200);
        assertThat(c.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(c.events).anySatisfy(e -> assertThat(e).contains("ended-by-admin"));
        assertThat(noah.send("DELETE", "/api/v1/terminals/" + id, ADMIN_TOKEN, null).code()).isEqualTo("conflict");

        assertThat(noah.post("/api/v1/terminals", ADMIN_TOKEN, Map.of("cluster", a, "namespace", ns, "pod", "nope", "reason", "x")).status())
                .isEqualTo(404);
        assertThat(noah.post("/api/v1/terminals", ADMIN_TOKEN, Map.of("cluster", a, "namespace", ns, "pod", pod, "container", "sidecar",
                "reason", "x")).status()).isEqualTo(404);
        assertThat(noah.post("/api/v1/terminals", ADMIN_TOKEN, Map.of("cluster", a, "namespace", ns, "pod", pod)).status()).isEqualTo(400);
        String viewer = noah.token("term-viewer-" + id.substring(0, 6), "VIEWER", null);
        assertThat(noah.post("/api/v1/terminals", viewer, Map.of("cluster", a, "namespace", ns, "pod", pod, "reason", "x")).status())
                .isEqualTo(403);
    }

    /**
     * The idle timeout and the maximum duration end sessions by themselves: on an instance of its own where they are
     * short (3 s, 9 s; 30 min and 8 h by default), one session left idle and one kept busy past its maximum.
     */
    @Test
    void anIdleSessionAndOneKeptBusyPastItsMaximumAreEndedByNoah() throws Exception {
        try (NoahProcess limits = NoahProcess.start(stack, "term-limits", "15s",
                Map.of("noah.console.terminals.idle-timeout", "3s", "noah.console.terminals.max-duration", "9s"))) {
            JsonNode idle = create(Map.of());
            String idleId = idle.get("session").get("id").asString();
            Client c = connect(limits.port(), idle, null);
            // from before the last keystroke: Noah counts the idle time from the echo, which this client sees a little later
            long quiet = System.nanoTime();
            c.type("echo idle-$((1+1))\r");
            await().atMost(Duration.ofSeconds(10)).until(() -> c.output().contains("idle-2"));
            assertThat(c.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1000);
            assertThat(Duration.ofNanos(System.nanoTime() - quiet)).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(7));
            assertThat(c.events).anySatisfy(e -> assertThat(e).contains("\"endedBy\":\"idle-timeout\""));
            assertThat(noah.get("/api/v1/terminals/" + idleId, ADMIN_TOKEN).body().get("endedBy").asString()).isEqualTo("idle-timeout");

            JsonNode busy = create(Map.of());
            String busyId = busy.get("session").get("id").asString();
            long opened = System.nanoTime();
            Client b = connect(limits.port(), busy, null);
            // a keystroke every second: never idle for 3 s, ended at 9 s all the same
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (!b.closed.isDone()) {
                    b.type("echo busy\r");
                }
                return b.closed.isDone();
            });
            assertThat(b.closed.get()).isEqualTo(1000);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(13));
            assertThat(b.events).anySatisfy(e -> assertThat(e).contains("\"endedBy\":\"max-duration\""));
            assertThat(noah.get("/api/v1/terminals/" + busyId, ADMIN_TOKEN).body().get("endedBy").asString()).isEqualTo("max-duration");
        }
    }

    /** The terminal page (xterm.js) in Debian's headless Chromium, driven by playwright-core: src/main/frontend/e2e/terminal-page.mjs. */
    @Test
    void theTerminalPageWorksInHeadlessChromium() throws Exception {
        java.nio.file.Path fe = NoahServer.repoRoot().resolve("noah-api/src/main/frontend");
        java.nio.file.Path log = java.nio.file.Files.createTempFile("terminal-page", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/terminal-page.mjs").directory(fe.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("NOAH_URL", "http://127.0.0.1:" + noah.port(), "NOAH_TOKEN", ADMIN_TOKEN, "CLUSTER", a,
                "NAMESPACE", ns, "POD", pod, "CHROMIUM", System.getenv().getOrDefault("NOAH_CHROMIUM", "/usr/bin/chromium")));
        Process p = pb.start();
        boolean ended = p.waitFor(90, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = java.nio.file.Files.readString(log);
        java.nio.file.Files.deleteIfExists(log);
        assertThat(ended).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("terminal page ok: hello seen");
    }

    private double metric(String name) {
        return noah.get("/actuator/prometheus", ADMIN_TOKEN).raw().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * A bounded soak (about 20 s): rounds of sessions at the per-user cap (the next one refused with 429) abandoned every way a client
     * can (closed, aborted, never connected) and batch jobs finished or cancelled; afterwards exec connections, bridged
     * sessions and Noah's platform threads are back at their baseline, and every session and job has its audit row.
     */
    @Test
    void aSoakOfAbandonedSessionsAndJobsReturnsToBaseline() throws Exception {
        String ops = noah.token("soak-" + UUID.randomUUID().toString().substring(0, 6), "OPS", null);
        double execs = metric("noah_console_exec_open");
        double bridged = metric("noah_console_terminals_open");
        double threads = 0;
        List<String> sessions = new java.util.ArrayList<>();
        List<String> jobs = new java.util.ArrayList<>();
        for (int round = 0; round < 4; round++) {
            if (round == 1) {
                // pools (Tomcat's workers, the HTTP clients') grow to their working size in the first round: the
                // baseline is taken after it, and a leak shows as growth over the next rounds
                Thread.sleep(1000);
                threads = metric("jvm_threads_live_threads");
            }
            List<Client> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var r = noah.post("/api/v1/terminals", ops, Map.of("cluster", a, "namespace", ns, "pod", pod, "reason", "soak " + round));
                assertThat(r.status()).as(r.raw()).isEqualTo(201);
                sessions.add(r.body().get("session").get("id").asString());
                if (i < 4) {
                    clients.add(connect(r.body(), null));
                }
            }
            var refused = noah.post("/api/v1/terminals", ops, Map.of("cluster", a, "namespace", ns, "pod", pod, "reason", "one too many"));
            assertThat(refused.status()).as(refused.raw()).isEqualTo(429);
            for (Client c : clients) {
                c.type("echo soak\r");
            }
            for (int j = 0; j < 2; j++) {
                var job = noah.post("/api/v1/exec-jobs", ops, Map.of("targets", Map.of("namespace", ns, "deployment", "shell"),
                        "command", List.of("sh", "-c", j == 0 ? "echo quick" : "sleep 20"), "reason", "soak " + round));
                assertThat(job.status()).as(job.raw()).isEqualTo(201);
                jobs.add(job.body().get("id").asString());
                if (j == 1) {
                    noah.post("/api/v1/exec-jobs/" + job.body().get("id").asString() + "/cancel", ops, Map.of("reason", "soak"));
                }
            }
            clients.get(0).ws.abort();
            clients.get(1).ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
            clients.get(2).type("exit\r");
            clients.get(3).ws.abort();
            // the never-connected fifth session's ticket expires; the cap counts it until then: end it as an admin would
            noah.send("DELETE", "/api/v1/terminals/" + sessions.getLast(), ops, null);
            await().atMost(Duration.ofSeconds(10)).until(() -> noah.get("/api/v1/terminals", ops).body().size() == 0);
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> metric("noah_console_exec_open") == execs && metric("noah_console_terminals_open") == bridged);
        for (String j : jobs) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !noah.get("/api/v1/exec-jobs/" + j, ops).body().get("state").asString()
                    .equals("running"));
        }
        double warm = threads;
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("jvm_threads_live_threads") <= warm + 3);
        for (String id : sessions.subList(0, 4)) {
            assertThat(noah.get("/api/v1/audit?target=/api/v1/terminals/" + id, ADMIN_TOKEN).raw()).contains("terminal-session");
        }
        for (String j : jobs) {
            assertThat(noah.get("/api/v1/audit?target=/api/v1/exec-jobs/" + j, ADMIN_TOKEN).raw()).contains("exec-job");
        }
    }
}
