package io.noah.api.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One autoscaler tick over many policies, on the packaged Noah with the real local clusters, PostgreSQL and
 * VictoriaMetrics (not a test; prints figures). {@code apps} Deployments × {@code replicas} pods (CPU request 500m) are
 * spread over the two clusters; a feeder writes every pod's CPU counter into VictoriaMetrics every 5 s (on target for
 * 90 % of the apps, 1.2 × target for every tenth, whose policies observe); one policy per app; then the tick duration
 * the evaluating instance reports ({@code lastTickMillis} in health, every tick) is sampled.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -DskipTests install && mvn -pl noah-api test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.AutoscalerBenchmark} ({@code -Dapps=1000 -Dreplicas=10
 * -Dticks=40 -Dwarmup=5}; {@code -Dkeep=true} leaves apps and policies, {@code -Dns=<namespace>} reuses them)
 */
public final class AutoscalerBenchmark {

    public static void main(String[] args) throws Exception {
        int apps = Integer.getInteger("apps", 1000);
        int replicas = Integer.getInteger("replicas", 10);
        int ticks = Integer.getInteger("ticks", 40);
        int warmup = Integer.getInteger("warmup", 5); // the first ticks of a fresh JVM (JIT, pools, caches) are not counted
        LocalStack stack = LocalStack.get();
        List<String> pools = stack.clusters();
        String existing = System.getProperty("ns");
        String ns = existing != null ? existing : "bench-hpa-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        for (String p : existing != null ? List.<String>of() : pools) {
            KubernetesClient k = stack.client(p);
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            while (k.serviceAccounts().inNamespace(ns).withName("default").get() == null) {
                Thread.sleep(50);
            }
        }
        long t0 = System.nanoTime();
        ExecutorService exec = Executors.newFixedThreadPool(8);
        for (int i = 0; existing == null && i < apps; i++) {
            String app = "a-" + i;
            KubernetesClient k = stack.client(pools.get(i % pools.size()));
            exec.submit(() -> {
                Deployment d = Workloads.deployment(app, replicas);
                d.getSpec().getTemplate().getSpec().getContainers().getFirst()
                        .setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m")).build());
                k.apps().deployments().inNamespace(ns).resource(d).create();
            });
        }
        exec.shutdown();
        exec.awaitTermination(10, TimeUnit.MINUTES);
        int perPool = apps / pools.size() * replicas;
        for (String p : pools) {
            while (ready(stack.client(p), ns) < perPool) {
                Thread.sleep(2000);
            }
        }
        System.out.printf("%d Deployments, %d pods Ready in %.0f s%n", apps, apps * replicas, (System.nanoTime() - t0) / 1e9);

        Map<String, Double> counters = new ConcurrentHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        var feeder = Executors.newSingleThreadScheduledExecutor();
        long[] last = {System.currentTimeMillis()};
        // the pods are listed once a minute, not every 5 s: the harness should load the machine with what a metric
        // pipeline does (writing samples), not with 10,000-pod lists from both API servers beside the Noah it measures
        Map<String, List<String[]>> podsByPool = new ConcurrentHashMap<>();
        long[] listed = {0};
        Runnable feed = () -> {
            try {
                long now = System.currentTimeMillis();
                double dt = (now - last[0]) / 1000.0;
                last[0] = now;
                if (now - listed[0] > 60_000) {
                    listed[0] = now;
                    for (String p : pools) {
                        podsByPool.put(p, stack.client(p).pods().inNamespace(ns).list().getItems().stream()
                                .map(x -> new String[]{x.getMetadata().getName(), x.getMetadata().getLabels().get("app")}).toList());
                    }
                }
                StringBuilder lines = new StringBuilder();
                for (String p : pools) {
                    for (String[] pod : podsByPool.getOrDefault(p, List.of())) {
                        String app = pod[1];
                        double cores = Integer.parseInt(app.substring(2)) % 10 == 0 ? 0.3 : 0.25;
                        double c = counters.merge(p + "/" + pod[0], cores * dt, Double::sum);
                        lines.append("container_cpu_usage_seconds_total{cluster=\"").append(p).append("\",namespace=\"").append(ns)
                                .append("\",pod=\"").append(pod[0]).append("\",container=\"main\"} ").append(c)
                                .append(' ').append(now).append('\n');
                    }
                }
                http.send(HttpRequest.newBuilder(URI.create(stack.metricsUrl() + "/api/v1/import/prometheus"))
                        .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(), HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                System.err.println("feeder: " + e);
            }
        };
        feeder.scheduleWithFixedDelay(feed, 0, 5, TimeUnit.SECONDS);
        Thread.sleep(35_000); // a 30 s window of samples

        NoahServer noah = NoahServer.get();
        List<Long> createMs = Collections.synchronizedList(new ArrayList<>());
        ExecutorService creators = Executors.newFixedThreadPool(4);
        for (int i = 0; i < apps; i++) {
            int n = i;
            creators.submit(() -> {
                long s = System.nanoTime();
                var r = noah.post("/api/v1/autoscalers", NoahServer.ADMIN_TOKEN, Map.of("app", "a-" + n, "namespace", ns,
                        "pools", Map.of(pools.get(n % pools.size()), Map.of("min", 1, "max", 50)),
                        "strategies", List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)),
                        "mode", n % 10 == 0 ? "observe" : "enforce", "reason", "benchmark"));
                if (r.status() != 201 && r.status() != 409) {
                    System.err.println("create a-" + n + ": " + r.status() + " " + r.raw());
                }
                if (r.status() == 201) { // 409: kept from an earlier run (-Dns)
                    createMs.add((System.nanoTime() - s) / 1_000_000);
                }
            });
        }
        creators.shutdown();
        creators.awaitTermination(30, TimeUnit.MINUTES);
        System.out.printf("%d policies created: p50 %d ms, p99 %d ms each (4 at a time)%n", apps, pct(createMs, 50), pct(createMs, 99));

        // ticks while every policy is held by the one instance
        List<Long> tickMs = new ArrayList<>();
        long seen = -1;
        int policies = 0;
        long deadline = System.currentTimeMillis() + (ticks + warmup) * 10_000L;
        while (tickMs.size() < ticks && System.currentTimeMillis() < deadline) {
            var a = noah.get("/actuator/health", NoahServer.ADMIN_TOKEN).body().get("components").get("autoscaler").get("details");
            policies = a.get("policies").asInt();
            long ms = a.get("lastTickMillis").asLong();
            if (policies >= apps && ms != seen) { // (other tests' leftovers may add a few)
                boolean counted = warmup-- <= 0;
                if (counted) {
                    tickMs.add(ms);
                }
                System.out.println("tick " + ms + " ms" + (counted ? "" : " (warm-up, not counted)") + ": " + a.get("lastTickPhases").asString());
                seen = ms;
            }
            Thread.sleep(NoahServer.AUTOSCALER_TICK.toMillis() / 2);
        }
        Collections.sort(tickMs);
        System.out.printf("tick over %d policies (%d pods): n=%d, p50 %d ms, p99 %d ms, max %d ms%n", policies, apps * replicas,
                tickMs.size(), pct(tickMs, 50), pct(tickMs, 99), tickMs.getLast());
        String prom = noah.get("/actuator/prometheus", NoahServer.ADMIN_TOKEN).raw();
        prom.lines().filter(l -> l.startsWith("noah_autoscaler_tick_seconds")).forEach(System.out::println);
        var decisions = noah.get("/api/v1/autoscalers?namespace=" + ns + "&limit=1000", NoahServer.ADMIN_TOKEN).body();
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        decisions.forEach(x -> x.get("latest").forEach(d -> reasons.merge(d.get("reason").asString(), 1, Integer::sum)));
        System.out.println("latest decisions by reason: " + reasons);

        feeder.shutdownNow();
        if (!Boolean.getBoolean("keep")) {
            decisions.forEach(x -> noah.send("DELETE", "/api/v1/autoscalers/" + x.get("id").asString(), NoahServer.ADMIN_TOKEN, null));
            for (String p : pools) {
                stack.client(p).namespaces().withName(ns).delete();
            }
        }
        System.exit(0);
    }

    private static int ready(KubernetesClient k, String ns) {
        return (int) k.pods().inNamespace(ns).list().getItems().stream().filter(Workloads::isReady).count();
    }

    private static long pct(List<Long> sorted, int p) {
        List<Long> s = new ArrayList<>(sorted);
        Collections.sort(s);
        return s.isEmpty() ? -1 : s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
