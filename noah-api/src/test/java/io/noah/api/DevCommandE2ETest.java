package io.noah.api;

import io.noah.cluster.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.noah.cluster.testing.LocalStack;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's run command ({@code deploy/local/dev.sh}), started fresh (its own database and topics) on the
 * running stack: within 30 s of starting it, Kafka holds every pod of both clusters. This is what a new user
 * sees first; the packaged jar once published nothing at all (a dependency missing from it).
 */
class DevCommandE2ETest {

    private final LocalStack stack = LocalStack.get();

    @Test
    void theRunCommandStartedFreshPublishesBothClustersPodsWithin30Seconds() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "dev-" + id;
        for (String c : stack.clusters()) {
            LocalStack.createNamespace(stack.client(c), ns);
            stack.client(c).apps().deployments().inNamespace(ns).resource(Workloads.deployment("hello", 2)).create();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.clusters().stream()
                .allMatch(c -> stack.client(c).pods().inNamespace(ns).list().getItems().size() == 2));
        // started as a user would, on a machine at rest: not while the clusters still delete the pods of earlier tests
        await("no pod being deleted in the clusters").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.clusters().stream().allMatch(c -> stack.client(c).pods().inAnyNamespace().list().getItems().stream()
                        .noneMatch(p -> p.getMetadata().getDeletionTimestamp() != null)));
        // and while no other JVM of the test run is still warming up (a Noah restarted by the test before, say)
        await("the CPUs mostly idle").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> idleShare() > 0.7);
        String prefix = "dev" + id + ".";
        Path log = Path.of("target", "dev-command-" + id + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", NoahServer.repoRoot().resolve("deploy/local/dev.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("NOAH_JAR", NoahProcess.jar().toString());
        pb.environment().put("NOAH_PORT", Integer.toString(freePort()));
        pb.environment().put("NOAH_KEEP_STACK", "1");
        pb.environment().put("NOAH_DB", "noah_dev_" + id);
        pb.environment().put("NOAH_EVENTS_TOPICPREFIX", prefix);
        long t0 = System.nanoTime();
        Process dev = pb.start();
        System.out.println("[dev] dev.sh started at " + java.time.Instant.now());
        try (KafkaEventLog events = new KafkaEventLog(stack.kafkaBootstrapServers(), prefix)) {
            await("every pod of both clusters in Kafka").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .failFast("dev.sh exited; see " + log.toAbsolutePath(), () -> !dev.isAlive())
                    .untilAsserted(() -> assertThat(events.poll().currentPods()).containsAllEntriesOf(livePods()));
            System.out.printf("[dev] both clusters' pods published %d ms after dev.sh started%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(events.currentPods().keySet()).anyMatch(k -> k.startsWith(stack.clusters().get(0) + "/" + ns + "/"))
                    .anyMatch(k -> k.startsWith(stack.clusters().get(1) + "/" + ns + "/"));
            assertThat(Files.readString(log)).contains("Noah is up:", "Admin token:");
            // the run command's Noah: BoringSSL towards the API servers, native access from the jar's manifest (no
            // restricted-method warning; Netty frees its buffers without shared arenas)
            assertThat(Files.readString(Path.of(System.getProperty("user.home"), ".cache", "noah", "run", "noah.log")))
                    .contains("TLS to the API servers: OpenSSL").doesNotContain("restricted method");
        } finally {
            // where the time went (in the report, pass or fail): Spring's start and the first transactions
            Path noahLog = Path.of(System.getProperty("user.home"), ".cache", "noah", "run", "noah.log");
            if (Files.isRegularFile(noahLog)) {
                Files.readAllLines(noahLog).stream().filter(l -> l.contains("Started NoahApplication") || l.contains("first transaction")
                        || l.contains("event publisher") && l.contains("started")).forEach(l -> System.out.println("[dev] " + l));
            }
            dev.destroy(); // SIGTERM: dev.sh stops Noah; NOAH_KEEP_STACK leaves the stack
            if (!dev.waitFor(40, TimeUnit.SECONDS)) {
                dev.destroyForcibly();
            }
            for (String c : stack.clusters()) {
                stack.client(c).namespaces().withName(ns).delete();
            }
        }
    }

    /** cluster/namespace/name → uid of every pod not being deleted. */
    private Map<String, String> livePods() {
        Map<String, String> m = new TreeMap<>();
        for (String c : stack.clusters()) {
            for (Pod p : stack.client(c).pods().inAnyNamespace().list().getItems()) {
                if (p.getMetadata().getDeletionTimestamp() == null) {
                    m.put(c + "/" + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p.getMetadata().getUid());
                }
            }
        }
        return m;
    }

    /** The share of CPU time the machine spent idle over the next second (Linux /proc/stat). */
    private static double idleShare() throws Exception {
        long[] a = cpu();
        Thread.sleep(1000);
        long[] b = cpu();
        return (double) (b[1] - a[1]) / Math.max(1, b[0] - a[0]);
    }

    /** Total and idle (idle + iowait) jiffies of all CPUs. */
    private static long[] cpu() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[]{total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
