package io.noah.api;

import io.noah.cluster.testing.LocalStack;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Noah (the packaged jar in its own JVM, real HTTP on 127.0.0.1) on the real local stack,
 * shared by the end-to-end tests of one JVM. It can be restarted (same database, same key) to show
 * what survives a restart. The two local clusters are registered once: idc-a by kubeconfig upload,
 * idc-b by URL + token + CA.
 */
public final class NoahServer {

    /** Release event streams one instance serves at once (the default is higher; the cap is tested). */
    public static final int MAX_EVENT_STREAMS = 4;
    public static final Duration AUTOSCALER_TICK = Duration.ofSeconds(3);
    public static final String ADMIN_TOKEN = "test-bootstrap-token-" + Long.toHexString(new SecureRandom().nextLong());
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The properties every Noah of the tests runs with (also the extra processes of {@link NoahProcess}). */
    public static Map<String, Object> baseProperties(LocalStack stack) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("server.address", "127.0.0.1");
        props.put("spring.datasource.url", stack.jdbcUrl());
        props.put("spring.datasource.username", stack.jdbcUser());
        props.put("spring.datasource.password", stack.jdbcPassword());
        props.put("noah.bootstrap-token", ADMIN_TOKEN);
        props.put("noah.encryption.key", KEY);
        props.put("noah.probe-interval", "1s");
        props.put("noah.releases.max-event-streams", MAX_EVENT_STREAMS);
        // the autoscaler on the stack's VictoriaMetrics, quicker than its defaults (15 s tick, 1 min window) for the tests
        props.put("noah.autoscaler.metrics-url", stack.metricsUrl());
        props.put("noah.autoscaler.tick", AUTOSCALER_TICK.toMillis() + "ms");
        props.put("noah.autoscaler.window", "30s"); // two of the stack's 15 s scrapes of KWOK's emulated usage
        props.put("noah.lifecycle.interval", "1s");
        // a benchmark compares settings side by side (e.g. -Dnoah.autoscaler.detail-refresh=0s: every tick;
        // -Dnoah.tls-engine=jdk)
        for (String passed : List.of("noah.autoscaler.detail-refresh", "noah.tls-engine")) {
            String value = System.getProperty(passed);
            if (value != null) {
                props.put(passed, value);
            }
        }
        return props;
    }

    /** Fixed, so clusters stored by an earlier run against the same database can be decrypted. */
    static final String KEY = Base64.getEncoder().encodeToString("noah-test-only-key-32-bytes-long".getBytes());
    private static NoahServer instance;

    private final LocalStack stack;
    private NoahProcess process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public record Response(int status, JsonNode body, String raw, HttpResponse<String> http) {
        public String code() {
            return body == null || body.get("code") == null ? null : body.get("code").asString();
        }
    }

    private NoahServer(LocalStack stack) {
        this.stack = stack;
        start();
    }

    public static synchronized NoahServer get() {
        if (instance == null) {
            instance = new NoahServer(LocalStack.get());
            instance.registerLocalClusters();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.stop()));
        }
        return instance;
    }

    public HttpClient http() {
        return http;
    }

    public LocalStack stack() {
        return stack;
    }

    public synchronized void start() {
        process = NoahProcess.start(stack, "shared", "15s", Map.of());
    }

    public synchronized void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** SIGKILL: no shutdown hook, no lease given back. */
    public synchronized void kill9() {
        if (process != null) {
            process.kill9();
            process = null;
        }
    }

    public synchronized void restart() {
        stop();
        start();
    }

    public int port() {
        return process.port();
    }

    private void registerLocalClusters() {
        for (String c : stack.clusters()) {
            if (get("/api/v1/clusters/" + c, ADMIN_TOKEN).status() == 200) {
                continue;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", c);
            body.put("idc", stack.idc(c));
            body.put("labels", Map.of("env", "test"));
            if (c.equals(stack.clusters().getFirst())) {
                body.put("kubeconfig", stack.kubeconfigText(c));
            } else {
                body.put("server", stack.server(c));
                body.put("token", stack.token(c));
                body.put("caCertificate", stack.caCertificate(c));
            }
            body.put("reason", "register the local test clusters");
            Response r = post("/api/v1/clusters", ADMIN_TOKEN, body);
            if (r.status() != 201) {
                throw new IllegalStateException("registering " + c + " failed: " + r.raw());
            }
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    public Response post(String path, String token, Object body) {
        return send("POST", path, token, body);
    }

    public Response send(String method, String path, String token, Object body) {
        String raw;
        try {
            raw = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e);
        }
        return sendRaw(method, path, token, raw, "application/json");
    }

    public Response sendRaw(String method, String path, String token, String raw, String contentType) {
        return sendTo(port(), method, path, token, raw, contentType);
    }

    /** To another Noah (e.g. a {@link NoahProcess}) on this host. */
    public Response sendTo(int port, String method, String path, String token, Object body) {
        return sendTo(port, method, path, token, body == null ? null : JSON.writeValueAsString(body), "application/json");
    }

    private Response sendTo(int port, String method, String path, String token, String raw, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, raw == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(raw));
        if (raw != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = null;
            if (res.body() != null && !res.body().isBlank() && res.headers().firstValue("Content-Type").orElse("").contains("json")) {
                node = JSON.readTree(res.body());
            }
            return new Response(res.statusCode(), node, res.body(), res);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Aborts every active release (tests that count which instance executes what: active releases spread over
     * instances, so one left by another test would be handed over among them).
     */
    public void abortActiveReleases(String reason) {
        for (String state : List.of("running", "waiting", "paused", "rolling_back")) {
            get("/api/v1/releases?state=" + state + "&limit=1000", ADMIN_TOKEN).body().forEach(r ->
                    post("/api/v1/releases/" + r.get("id").asString() + "/abort", ADMIN_TOKEN, Map.of("reason", reason)));
        }
    }

    /** Creates a token of the given role through the API; returns the token. */
    public String token(String name, String role, java.util.Set<String> apps) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("role", role);
        if (apps != null) {
            body.put("apps", apps);
        }
        Response r = post("/api/v1/tokens", ADMIN_TOKEN, body);
        if (r.status() != 201) {
            throw new IllegalStateException("token creation failed: " + r.raw());
        }
        return r.body().get("token").asString();
    }

    static Path repoRoot() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.exists(d.resolve("deploy/local/stack.sh"))) {
            d = d.getParent();
        }
        return d;
    }
}
