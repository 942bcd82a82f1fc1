package io.noah.api;

import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The container image the build makes (noah-api/target/noah-image.tar, OCI, decision 55): its configuration (user,
 * entrypoint, port) as the chart expects it, and the image itself run as a container runtime would run it under the
 * chart's security context: its layers unpacked into a root filesystem mounted read-only, /proc, /dev and a tmpfs /tmp
 * mounted, the entrypoint run as user 65532 in a chroot. No Docker engine: root, unshare and chroot do it here.
 */
@ExtendWith(LocalStackExtension.class)
class ContainerImageE2ETest {

    private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    private static final Path TARGET = NoahServer.repoRoot().resolve("noah-api/target");
    private static final String DB = "noah_image";
    private static Path layout;
    private static JsonNode config;
    private static String manifestDigest;

    @BeforeAll
    static void unpack() throws Exception {
        Path tar = TARGET.resolve("noah-image.tar");
        assertThat(tar).as("built by mvn package (jib:buildTar)").exists();
        layout = Files.createTempDirectory(TARGET, "image-");
        sh("tar", "-xf", tar.toString(), "-C", layout.toString());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        manifestDigest = index.get("manifests").get(0).get("digest").asString();
        JsonNode manifest = JSON.readTree(blob(manifestDigest).toFile());
        config = JSON.readTree(blob(manifest.get("config").get("digest").asString()).toFile());
        Path root = layout.resolve("rootfs");
        Files.createDirectories(root);
        for (JsonNode layer : manifest.get("layers")) {
            assertThat(layer.get("mediaType").asString()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            sh("tar", "-xzpf", blob(layer.get("digest").asString()).toString(), "-C", root.toString());
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (layout != null) {
            sh("rm", "-rf", layout.toString());
        }
    }

    private static Path blob(String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }

    @Test
    void theImageRunsAsANonRootUserOnPort8080WithTheDigestTheBuildPrinted() throws Exception {
        JsonNode c = config.get("config");
        assertThat(c.get("User").asString()).isEqualTo("65532:65532");
        List<String> entrypoint = new ArrayList<>();
        c.get("Entrypoint").forEach(a -> entrypoint.add(a.asString()));
        assertThat(entrypoint.getFirst()).isEqualTo("/opt/java/bin/java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp", "--enable-native-access=ALL-UNNAMED").endsWith("io.noah.api.NoahApplication");
        assertThat(c.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(c.get("WorkingDir").asString()).isEqualTo("/app");
        List<String> env = new ArrayList<>();
        c.get("Env").forEach(e -> env.add(e.asString()));
        assertThat(env).contains("NOAH_ADDRESS=0.0.0.0", "NOAH_PORT=8080", "JAVA_HOME=/opt/java");
        assertThat(config.get("os").asString()).isEqualTo("linux");
        assertThat(config.get("architecture").asString()).isEqualTo("amd64");
        assertThat(Files.readString(TARGET.resolve("noah-image.digest")).strip()).isEqualTo(manifestDigest).matches("sha256:[0-9a-f]{64}");

        Path root = layout.resolve("rootfs");
        assertThat(Files.getPosixFilePermissions(root.resolve("opt/java/bin/java"))).contains(PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains("noah:x:65532:65532");
        // every runtime dependency is in the image, as in the jar (kafka-clients once was not)
        try (var libs = Files.list(root.resolve("app/libs"))) {
            assertThat(libs.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("kafka-clients-"))
                    .anyMatch(n -> n.startsWith("noah-console-")).anyMatch(n -> n.startsWith("postgresql-"));
        }
        assertThat(root.resolve("app/resources/static/ui/index.html")).exists();
    }

    @Test
    void theImageStartsAsUser65532OnAReadOnlyRootFilesystemAndServes(LocalStack stack) throws Exception {
        String dbUrl = stack.freshDatabase(DB);
        Path root = layout.resolve("rootfs");
        for (String mountPoint : List.of("proc", "dev")) {
            Files.createDirectories(root.resolve(mountPoint));
        }
        int port = NoahProcess.freePort();
        // what a runtime does: the image's root read-only, /proc, /dev and a writable /tmp mounted, the image's user
        String runtime = """
                set -e; r=$1; shift
                mount --bind "$r" "$r"; mount -o remount,bind,ro "$r"
                mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; mount -t tmpfs -o mode=1777,size=256m tmpfs "$r/tmp"
                exec chroot --userspec=65532:65532 "$r" "$@"
                """;
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "bash", "-c", runtime, "runtime", root.toString()));
        config.get("config").get("Entrypoint").forEach(a -> cmd.add(a.asString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(TARGET.resolve("noah-image-run.log").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        config.get("config").get("Env").forEach(e -> {
            String[] kv = e.asString().split("=", 2);
            env.put(kv[0], kv[1]);
        });
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"); // unshare, mount and chroot on the host; the JVM's path is absolute
        env.put("NOAH_ADDRESS", "127.0.0.1"); // this machine: loopback only
        env.put("NOAH_PORT", Integer.toString(port));
        env.put("NOAH_DB_URL", dbUrl);
        env.put("NOAH_DB_USER", stack.jdbcUser());
        env.put("NOAH_DB_PASSWORD", stack.jdbcPassword());
        env.put("NOAH_ENCRYPTION_KEY", NoahServer.KEY);
        env.put("NOAH_BOOTSTRAP_TOKEN", NoahServer.ADMIN_TOKEN);
        env.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=10");
        Process noah = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertThat(noah.isAlive()).as("the container's JVM is running (log: target/noah-image-run.log)").isTrue();
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            var clusters = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/clusters"))
                    .header("Authorization", "Bearer " + NoahServer.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(clusters.statusCode()).as(clusters.body()).isEqualTo(200);
            var page = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/releases")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<div id=\"app\">"); // a deep link answers the single-page app
            // the user the process runs as, seen from the host
            var status = Files.readAllLines(Path.of("/proc", Long.toString(noah.pid()), "status"));
            assertThat(status).anyMatch(l -> l.matches("Uid:\\s+65532\\s+65532\\s+65532\\s+65532"));
        } finally {
            noah.destroy(); // SIGTERM, as the kubelet stops a container: a graceful shutdown
            boolean ended = noah.waitFor(40, TimeUnit.SECONDS);
            if (!ended) {
                noah.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(ended).as("stopped within the chart's grace period").isTrue();
        }
        // BoringSSL loads in the image (its native library unpacked under the writable /tmp, glibc's files present) and
        // with native access granted: no restricted-method warning, Netty frees buffers without shared arenas
        assertThat(Files.readString(TARGET.resolve("noah-image-run.log"))).contains("Started NoahApplication").doesNotContain("Read-only file system")
                .contains("TLS to the API servers: OpenSSL").doesNotContain("restricted method");
    }
}
