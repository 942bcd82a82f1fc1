package io.noah.api;

import io.noah.cluster.testing.LocalStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * Noah in a separate JVM started from the packaged jar (extracted as the run command starts it, what users
 * run: a dependency missing from the jar fails here, not in production), so a test can also kill it for
 * real: {@link #kill9()} is SIGKILL, no shutdown hook runs.
 */
public final class NoahProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final String instanceId;

    private NoahProcess(Process process, int port, String instanceId) {
        this.process = process;
        this.port = port;
        this.instanceId = instanceId;
    }

    public static NoahProcess start(LocalStack stack, String instanceId, String releaseLease) {
        return start(stack, instanceId, releaseLease, java.util.Map.of());
    }

    /** With extra {@code --key=value} properties (they win over the base ones). */
    public static NoahProcess start(LocalStack stack, String instanceId, String releaseLease, java.util.Map<String, String> extra) {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // ZGC as the run command starts Noah: the build's AOT cache serves only the collector it was made with
        String jvmOptions = System.getProperty("noah.jvm-options", "-XX:+UseZGC -Xmx512m").trim();
        cmd.addAll(List.of(jvmOptions.split("\\s+")));
        if (java.nio.file.Files.isRegularFile(appDir().resolve("noah.aot")) && (" " + jvmOptions + " ").contains(" -XX:+UseZGC ")) {
            cmd.add("-XX:AOTCache=noah.aot");
        }
        cmd.addAll(List.of("-jar", "noah.jar"));
        java.util.Map<String, Object> props = new java.util.LinkedHashMap<>(NoahServer.baseProperties(stack));
        props.putAll(extra); // one value per key: Spring would join repeated command-line values with commas
        cmd.add("--server.port=" + port);
        cmd.add("--noah.instance-id=" + instanceId);
        cmd.add("--noah.release-lease=" + releaseLease);
        props.forEach((k, v) -> cmd.add("--" + k + "=" + v));
        try {
            java.nio.file.Files.createDirectories(Path.of("target"));
            Process p = new ProcessBuilder(cmd).directory(appDir().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "noah-" + instanceId + ".log").toAbsolutePath().toFile())).start();
            NoahProcess np = new NoahProcess(p, port, instanceId);
            np.awaitHealthy(Duration.ofSeconds(90));
            return np;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path appDir;

    /**
     * The packaged jar's application directory as {@code deploy/local/dev.sh} runs it: the same shell function
     * ({@code runnable_app} in {@code deploy/local/lib.sh}) extracts it once per build into {@code ~/.cache/noah/app}
     * with the build's AOT cache, so the tests start Noah exactly as users do.
     */
    static synchronized Path appDir() {
        if (appDir != null) {
            return appDir;
        }
        Path lib = NoahServer.repoRoot().resolve("deploy/local/lib.sh");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$1\" && runnable_app \"$2\"", "bash",
                    lib.toString(), jar().toAbsolutePath().toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException("runnable_app " + jar() + " failed (exit " + p.exitValue() + ")");
            }
            appDir = Path.of(out);
            return appDir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The packaged jar: {@code noah.jar} (set by the build), else the one in noah-api/target. */
    static Path jar() {
        String configured = System.getProperty("noah.jar");
        Path jar = configured != null ? Path.of(configured) : null;
        if (jar == null || !java.nio.file.Files.isRegularFile(jar)) {
            Path target = NoahServer.repoRoot().resolve("noah-api/target");
            try (var files = java.nio.file.Files.list(target)) {
                jar = files.filter(f -> f.getFileName().toString().matches("noah-api-.*\\.jar")).findFirst().orElse(null);
            } catch (IOException e) {
                jar = null;
            }
        }
        if (jar == null || !java.nio.file.Files.isRegularFile(jar)) {
            throw new IllegalStateException("the packaged Noah jar is missing (" + configured + "): run mvn package first");
        }
        return jar;
    }

    private void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        await("Noah " + instanceId + " healthy").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("Noah " + instanceId + " exited; see target/noah-" + instanceId + ".log", () -> !process.isAlive())
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(url("/actuator/health"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public int port() {
        return port;
    }

    public String instanceId() {
        return instanceId;
    }

    /** SIGKILL: the process gets no chance to release its leases or finish anything. */
    public void kill9() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: the process freezes (no thread runs, no lease is renewed) until {@link #resume()}. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT. */
    public void resume() {
        signal("CONT");
    }

    public boolean alive() {
        return process.isAlive();
    }

    private void signal(String sig) {
        try {
            int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill -" + sig + " failed: " + rc);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(java.time.Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
