package io.noah.api.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;

import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Cache and query benchmark on the real local clusters (not a test; prints figures).
 *
 * <p>Creates {@code -Dpods=20000} pods (Deployments of 1,000 replicas, app=bench-N) spread over the
 * local clusters, then starts a real Noah in this JVM, registers the clusters and measures:
 * heap per cached pod (used heap after full GC, before vs after the caches hold every pod), cold
 * sync time (registration → every pod in the caches), and over HTTP with a closed-loop load
 * generator (JDK HttpClient, one client, sequential requests): p50/p99 of a label query answering a
 * 1,000-pod page and of a single-pod lookup.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -pl noah-api -am -DskipTests install &&
 * mvn -pl noah-api exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.CacheBenchmark}
 */
public final class CacheBenchmark {

    /** Its own namespace per run: deleting 20,000 pods of an earlier run takes a while. */
    private static final String NS = "bench-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    public static void main(String[] args) throws Exception {
        int pods = Integer.getInteger("pods", 20_000);
        int requests = Integer.getInteger("requests", 2_000);
        LocalStack stack = LocalStack.get();
        List<String> clusters = stack.clusters();
        int perDeployment = 1000;
        int deployments = pods / perDeployment;

        long t0 = System.nanoTime();
        for (int i = 0; i < deployments; i++) {
            String c = clusters.get(i % clusters.size());
            KubernetesClient k = stack.client(c);
            if (k.namespaces().withName(NS).get() == null) {
                k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
                while (k.serviceAccounts().inNamespace(NS).withName("default").get() == null) {
                    Thread.sleep(100);
                }
            }
            String app = "bench-" + i;
            k.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                    .withNewMetadata().withName(app).addToLabels("app", app).endMetadata()
                    .withNewSpec().withReplicas(perDeployment).withNewSelector().addToMatchLabels("app", app).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels(Map.of("app", app, "tier", i % 2 == 0 ? "web" : "api",
                            "team", "team-" + (i % 5), "version", "v1")).endMetadata()
                    .withNewSpec().addNewContainer().withName("main").withImage("registry.local/" + app + ":1").endContainer()
                    .endSpec().endTemplate().endSpec().build()).serverSideApply();
        }
        System.out.printf("creating %d pods in %d Deployments over %s%n", pods, deployments, clusters);
        while (true) {
            int ready = 0;
            for (String c : clusters) {
                ready += (int) stack.client(c).apps().deployments().inNamespace(NS).list().getItems().stream()
                        .mapToInt(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas()).sum();
            }
            System.out.printf("  %d / %d pods ready after %d s%n", ready, pods, (System.nanoTime() - t0) / 1_000_000_000);
            if (ready >= pods) {
                break;
            }
            if (System.nanoTime() - t0 > Duration.ofMinutes(15).toNanos()) {
                throw new IllegalStateException("pods did not become ready within 15 minutes");
            }
            Thread.sleep(5000);
        }

        long heapBefore = usedHeapAfterGc();
        NoahServer noah = NoahServer.get(); // starts Noah and registers the clusters (idc-a by kubeconfig, idc-b by token)
        long sync0 = System.nanoTime();
        int cached;
        do {
            Thread.sleep(50);
            var body = noah.get("/api/v1/clusters", NoahServer.ADMIN_TOKEN).body();
            cached = 0;
            boolean synced = true;
            for (var c : body) {
                cached += c.get("status").get("pods").asInt();
                synced &= c.get("status").get("cacheSynced").asBoolean();
            }
            if (synced && cached >= pods) {
                break;
            }
        } while (System.nanoTime() - sync0 < Duration.ofMinutes(5).toNanos());
        long syncMs = (System.nanoTime() - sync0) / 1_000_000;
        long heapAfter = usedHeapAfterGc();
        System.out.printf("%ncold sync: %d pods cached in %d ms (from registration of the clusters)%n", cached, syncMs);
        System.out.printf("heap: %.1f MB before Noah started, %.1f MB with every pod cached%n", heapBefore / 1e6, heapAfter / 1e6);

        String page = "/api/v1/pods?labelSelector=" + URLEncoder.encode("app=bench-3,tier=api", StandardCharsets.UTF_8) + "&limit=1000";
        var first = noah.get(page, NoahServer.ADMIN_TOKEN);
        if (first.body().get("items").size() != 1000) {
            throw new IllegalStateException("the label query returned " + first.body().get("items").size() + " pods, not 1000");
        }
        System.out.printf("%nlabel query page: %d pods, %d bytes of JSON%n", first.body().get("items").size(), first.raw().length());
        report("label query, 1,000-pod page", latencies(noah, page, requests / 4));
        String somePod = first.body().get("items").get(500).get("name").asString();
        String someCluster = first.body().get("items").get(500).get("cluster").asString();
        report("single-pod lookup", latencies(noah, "/api/v1/clusters/" + someCluster + "/namespaces/" + NS + "/pods/" + somePod, requests));
        report("pod by IP (cross-cluster)", latencies(noah, "/api/v1/pods?ip=" + first.body().get("items").get(500).get("ip").asString(), requests));
        // heap per cached pod: the same running Noah with and without the clusters' caches
        long withCaches = usedHeapAfterGc();
        for (String c : clusters) {
            noah.send("DELETE", "/api/v1/clusters/" + c, NoahServer.ADMIN_TOKEN, null);
        }
        long withoutCaches = usedHeapAfterGc();
        System.out.printf("%nheap with the caches %.1f MB, after removing both clusters %.1f MB: %.0f bytes per cached pod "
                        + "(%d pods; Deployments and nodes included)%n", withCaches / 1e6, withoutCaches / 1e6,
                (withCaches - withoutCaches) / (double) cached, cached);
        noah.stop();
        if (!Boolean.getBoolean("keep")) {
            for (String c : clusters) {
                stack.client(c).namespaces().withName(NS).delete();
            }
        }
        System.exit(0);
    }

    private static long[] latencies(NoahServer noah, String path, int n) {
        for (int i = 0; i < Math.min(200, n); i++) {
            noah.get(path, NoahServer.ADMIN_TOKEN); // warm-up
        }
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            var r = noah.get(path, NoahServer.ADMIN_TOKEN);
            ns[i] = System.nanoTime() - t;
            if (r.status() != 200) {
                throw new IllegalStateException(path + " answered " + r.status());
            }
        }
        return ns;
    }

    private static void report(String what, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%-32s n=%d  p50=%.2f ms  p90=%.2f ms  p99=%.2f ms  max=%.2f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.90)] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
            samples.add(mem.getHeapMemoryUsage().getUsed());
        }
        return samples.stream().mapToLong(Long::longValue).min().orElseThrow();
    }
}
