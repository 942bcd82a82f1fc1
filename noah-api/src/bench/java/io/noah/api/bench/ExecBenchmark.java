package io.noah.api.bench;

import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Batch exec of a short command over 500 pods across both local clusters (250 each) at fan-out 50, through a real Noah
 * (not a test; prints figures): wall time from the POST to the job's result on its event stream,
 * Noah's live platform threads sampled during it; side by side with kubectl exec over the same pods, 50 at once
 * (xargs -P 50), the same command.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -DskipTests install && mvn -pl noah-api test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.ExecBenchmark} (-Drounds=5 -Dpods=250 -DfanOut=50)
 */
public final class ExecBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        int perCluster = Integer.getInteger("pods", 250);
        int fanOut = Integer.getInteger("fanOut", 50);
        LocalStack stack = LocalStack.get();
        NoahServer noah = NoahServer.get();
        String ns = "bench-exec-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        for (String c : stack.clusters()) {
            LocalStack.createNamespace(stack.client(c), ns);
            stack.client(c).apps().deployments().inNamespace(ns).resource(Workloads.deployment("fleet", perCluster)).create();
        }
        try {
            for (String c : stack.clusters()) {
                while (Workloads.readyReplicas(stack.client(c), ns, "fleet") < perCluster) {
                    Thread.sleep(200);
                }
            }
            int total = perCluster * stack.clusters().size();
            while (noah.get("/api/v1/pods?namespace=" + ns + "&phase=Running&limit=5000", NoahServer.ADMIN_TOKEN).body().get("items").size() < total) {
                Thread.sleep(200);
            }
            List<Double> walls = new ArrayList<>();
            List<Double> threads = new ArrayList<>();
            int baseThreads = threads(noah);
            for (int r = 0; r <= rounds; r++) {
                AtomicBoolean running = new AtomicBoolean(true);
                List<Integer> samples = Collections.synchronizedList(new ArrayList<>());
                Thread sampler = Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        samples.add(threads(noah));
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                long t0 = System.nanoTime();
                var started = noah.post("/api/v1/exec-jobs", NoahServer.ADMIN_TOKEN, Map.of("targets", Map.of("namespace", ns, "deployment", "fleet"),
                        "command", List.of("echo", "ok"), "fanOut", fanOut, "maxTargets", 5000, "reason", "benchmark"));
                if (started.status() != 201) {
                    throw new IllegalStateException(started.raw());
                }
                String id = started.body().get("id").asString();
                // the end as a client sees it: the job's event stream, whose last event is the result
                var lines = noah.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + noah.port()
                                + "/api/v1/exec-jobs/" + id + "/events")).header("Authorization", "Bearer " + NoahServer.ADMIN_TOKEN)
                        .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofLines()).body();
                boolean result = lines.anyMatch(l -> l.equals("event:result"));
                double wall = (System.nanoTime() - t0) / 1e9;
                JsonNode job = noah.get("/api/v1/exec-jobs/" + id, NoahServer.ADMIN_TOKEN).body();
                if (!result || job.get("state").asString().equals("running")) {
                    throw new IllegalStateException("the stream ended without the result: " + job);
                }
                running.set(false);
                sampler.join();
                int ok = job.get("counts").path("success").asInt();
                System.out.printf("round %d%s: %d pods, %d success, wall %.2f s, peak concurrency %d, threads max %d (before %d)%n", r,
                        r == 0 ? " (warm-up)" : "", job.get("total").asInt(), ok, wall, job.get("peakConcurrency").asInt(),
                        samples.stream().mapToInt(Integer::intValue).max().orElse(0), baseThreads);
                if (r > 0) {
                    walls.add(wall);
                    threads.add((double) samples.stream().mapToInt(Integer::intValue).max().orElse(0));
                }
            }
            // the peer: kubectl exec, 50 at once, over the same pods
            List<Double> kubectlWalls = new ArrayList<>();
            Path list = Files.createTempFile("exec-bench", ".txt");
            StringBuilder lines = new StringBuilder();
            for (String c : stack.clusters()) {
                for (var p : stack.client(c).pods().inNamespace(ns).list().getItems()) {
                    lines.append(stack.kubeconfig(c)).append(' ').append(p.getMetadata().getName()).append('\n');
                }
            }
            Files.writeString(list, lines);
            for (int r = 0; r < Math.min(rounds, 3); r++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("bash", "-c", "xargs -P " + fanOut + " -L 1 sh -c '" + stack.kubectl()
                        + " --kubeconfig $0 -n " + ns + " exec $1 -- echo ok >/dev/null' < " + list).inheritIO().start();
                int rc = p.waitFor();
                double wall = (System.nanoTime() - t0) / 1e9;
                System.out.printf("kubectl round %d: exit %d, wall %.2f s%n", r + 1, rc, wall);
                kubectlWalls.add(wall);
            }
            Files.deleteIfExists(list);
            System.out.printf("%nNoah batch exec, %d pods, fan-out %d: wall median %.2f s (min %.2f, max %.2f) over %d rounds;"
                            + " Noah's live threads max median %.0f (before %d)%n", total, fanOut, median(walls), Collections.min(walls),
                    Collections.max(walls), walls.size(), median(threads), baseThreads);
            System.out.printf("kubectl exec, %d at once: wall median %.2f s over %d rounds; ratio kubectl / Noah %.1f%n", fanOut,
                    median(kubectlWalls), kubectlWalls.size(), median(kubectlWalls) / median(walls));
        } finally {
            for (String c : stack.clusters()) {
                stack.client(c).namespaces().withName(ns).delete();
            }
            noah.stop();
        }
    }

    private static int threads(NoahServer noah) {
        return (int) noah.get("/actuator/prometheus", NoahServer.ADMIN_TOKEN).raw().lines().filter(l -> l.startsWith("jvm_threads_live_threads"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
