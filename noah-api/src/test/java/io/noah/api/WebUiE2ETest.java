package io.noah.api;

import io.noah.cluster.testing.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web pages in Debian's headless Chromium (playwright-core) against the packaged Noah on both local clusters:
 * src/main/frontend/e2e/ui-flow.mjs signs in, starts a release from the form, promotes and rolls it back from the page,
 * opens a terminal, restores a filtered view from a deep link, checks a viewer's disabled actions, CSRF and sign-out,
 * and measures the 5,000-pod table. Screenshots land in docs/ui/.
 */
class WebUiE2ETest extends TwoClustersE2E {

    private final String app = "ui-" + UUID.randomUUID().toString().substring(0, 5);

    WebUiE2ETest() {
        super("ui");
    }

    @BeforeAll
    void deploy() {
        for (String c : List.of(a, b)) {
            stack.client(c).apps().deployments().inNamespace(ns).resource(Workloads.deployment(app, 3)).create();
        }
        for (String c : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Workloads.readyReplicas(stack.client(c), ns, app) == 3);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> noah.get("/api/v1/pods?namespace=" + ns, ADMIN_TOKEN).body().get("items").size() == 6);
    }

    @AfterAll
    void abortLeftovers() {
        noah.get("/api/v1/releases?app=" + app, ADMIN_TOKEN).body().forEach(r -> {
            if (!Set.of("succeeded", "rolled_back", "aborted").contains(r.get("state").asString())) {
                noah.post("/api/v1/releases/" + r.get("id").asString() + "/abort", ADMIN_TOKEN, Map.of("reason", "test clean-up"));
            }
        });
    }

    /** Runs a script of src/main/frontend/e2e with node; its output (also printed), after it exited 0. */
    private String node(String script, Map<String, String> env, int timeoutSeconds) throws Exception {
        Path fe = NoahServer.repoRoot().resolve("noah-api/src/main/frontend");
        Path log = Files.createTempFile("ui", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/" + script).directory(fe.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("NOAH_URL", "http://127.0.0.1:" + noah.port());
        pb.environment().put("CHROMIUM", System.getenv().getOrDefault("NOAH_CHROMIUM", "/usr/bin/chromium"));
        Process p = pb.start();
        boolean ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        System.out.println(out);
        assertThat(ended).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theMainFlowsInHeadlessChromium() throws Exception {
        String viewer = noah.token("ui-viewer-" + app, "VIEWER", null);
        String out = node("ui-flow.mjs", Map.of("ADMIN_TOKEN", ADMIN_TOKEN, "VIEWER_TOKEN", viewer, "APP", app, "NAMESPACE", ns,
                "CLUSTER_A", a, "CLUSTER_B", b, "SHOTS", NoahServer.repoRoot().resolve("docs/ui").toString()), 300);
        assertThat(out).contains("ui flow ok");

        // what the browser did is in the audit trail with the signed-in actor and the reasons typed into the pages
        String audit = noah.get("/api/v1/audit?target=/api/v1/releases&limit=500", ADMIN_TOKEN).raw();
        assertThat(audit).contains("batch 1 looks good", "errors up after batch 2");
        assertThat(noah.get("/api/v1/audit?target=/api/v1/session&limit=50", ADMIN_TOKEN).raw()).contains("sign-in to the web pages");
    }

    /** The pod table with 5,000 pods: only the rows in view are in the DOM; the figures are printed (docs/benchmarks.md). */
    @Test
    void theTableOfFiveThousandPodsKeepsOnlyTheVisibleRows() throws Exception {
        String out = node("pods-table-bench.mjs", Map.of("NOAH_TOKEN", ADMIN_TOKEN, "ROUNDS", "2"), 180);
        String line = out.lines().filter(l -> l.startsWith("UI-BENCH")).findFirst().orElseThrow();
        int domRows = Integer.parseInt(line.replaceAll(".* dom-rows=(\\d+).*", "$1"));
        assertThat(domRows).isBetween(10, 100);
    }

    @Test
    void theSessionApiAndTheCookieRules() {
        // the bearer API tells who the token is; no session, no CSRF value
        var me = noah.get("/api/v1/session", ADMIN_TOKEN);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body().get("via").asString()).isEqualTo("token");
        // an unknown token cannot sign in; an empty body is a 400 problem
        assertThat(noah.post("/api/v1/session", null, Map.of("token", "noah_unknown-token-value")).status()).isEqualTo(401);
        assertThat(noah.post("/api/v1/session", null, Map.of()).status()).isEqualTo(400);
        // anonymous: 401 problem
        assertThat(noah.get("/api/v1/session", null).status()).isEqualTo(401);
    }

    /** Sign-in by plain HTTP: the cookies' attributes, the session on GET, and a revoked token ending its sessions. */
    @Test
    void aSessionCookieHasItsAttributesAndEndsWithItsToken() throws Exception {
        var created = noah.post("/api/v1/tokens", ADMIN_TOKEN, Map.of("name", "ui-revoked-" + app, "role", "OPS"));
        String token = created.body().get("token").asString();
        var http = java.net.http.HttpClient.newHttpClient();
        var signIn = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/session"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(201);
        List<String> cookies = signIn.headers().allValues("Set-Cookie");
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("NOAH_SESSION=").contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"));
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("NOAH_CSRF=").contains("SameSite=Strict").doesNotContain("HttpOnly"));
        assertThat(signIn.body()).doesNotContain(token);
        String session = cookies.stream().filter(c -> c.startsWith("NOAH_SESSION=")).findFirst().orElseThrow().split(";")[0];
        String csrf = cookies.stream().filter(c -> c.startsWith("NOAH_CSRF=")).findFirst().orElseThrow().split(";")[0].substring("NOAH_CSRF=".length());
        java.util.function.Supplier<Integer> me = () -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/session"))
                        .header("Cookie", session).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(me.get()).isEqualTo(200);
        // a mutating call on the cookie: refused without the CSRF value, accepted (as far as authentication goes) with it
        var noCsrf = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/releases/nope/pause"))
                .header("Cookie", session).header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        assertThat(noCsrf.body()).contains("\"code\":\"csrf\"");
        var withCsrf = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port() + "/api/v1/releases/nope/pause"))
                .header("Cookie", session).header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(withCsrf.statusCode()).as(withCsrf.body()).isEqualTo(404);
        // revoking the token ends the session (the token cache keeps a principal up to 10 s)
        noah.send("DELETE", "/api/v1/tokens/" + created.body().get("id").asString(), ADMIN_TOKEN, null);
        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofSeconds(1)).until(() -> me.get() == 401);
    }

    @Test
    void pagesAreServedWithTheirCacheRulesAndDeepLinksFallBackToTheApp() throws Exception {
        var index = noah.get("/ui/releases/some-id", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.raw()).contains("<div id=\"app\">");
        assertThat(index.http().headers().firstValue("Cache-Control").orElse("")).contains("no-cache");
        assertThat(noah.get("/ui/missing.js", null).status()).isEqualTo(404);
        String asset = index.raw().replaceAll("(?s).*src=\"(/ui/assets/index-[^\"]+\\.js)\".*", "$1");
        var js = noah.get(asset, null);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.http().headers().firstValue("Cache-Control").orElse("")).contains("max-age=31536000", "immutable");

        // the first page's JavaScript (the terminal is a chunk of its own): at most 150 KB gzipped
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gz)) {
            out.write(js.raw().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        System.out.printf("UI-BENCH first-page-js-bytes=%d gzipped=%d%n", js.raw().length(), gz.size());
        assertThat(gz.size()).isLessThan(150 * 1024);
        assertThat(js.raw()).doesNotContain("xterm-helper-textarea");
    }
}
