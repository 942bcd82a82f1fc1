package io.noah.api.bench;

import io.noah.cluster.testing.LocalStack;
import io.noah.hpa.advice.AdviceReport;
import io.noah.hpa.advice.AdviceSettings;
import io.noah.hpa.advice.Advisor;
import io.noah.hpa.advice.AppTarget;
import io.noah.hpa.metrics.PrometheusClient;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Advice for many apps over a week of 5-minute history, against the stack's VictoriaMetrics (not a test; prints
 * figures). {@code apps} apps × {@code pods} pods of CPU and memory history (each app its own daily curve and level) are
 * written with VictoriaMetrics' JSON import, then the advisor runs {@code rounds} times (parallelism {@code parallelism});
 * per round: wall time, the store's CPU time, and this JVM's heap after a full GC holding the report; peak RSS at the end.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -o install -DskipTests && mvn -pl noah-api test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.AdviceBenchmark} ({@code -Dapps=1000 -Dpods=2 -Drounds=3
 * -Dparallelism=4}; {@code -Dcluster=<name>} reuses history written before)
 */
public final class AdviceBenchmark {

    private static final long STEP = 300;

    public static void main(String[] args) throws Exception {
        int apps = Integer.getInteger("apps", 1000);
        int pods = Integer.getInteger("pods", 2);
        int rounds = Integer.getInteger("rounds", 3);
        int parallelism = Integer.getInteger("parallelism", 4);
        LocalStack stack = LocalStack.get();
        String base = stack.metricsUrl();
        String existing = System.getProperty("cluster");
        String cluster = existing != null ? existing : "bench-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        String ns = "advice";
        long now = Instant.now().getEpochSecond() / STEP * STEP;
        long from = now - 7 * 86_400 - 2 * STEP;
        int points = (int) ((now - from) / STEP) + 1;
        if (existing == null) {
            long t0 = System.nanoTime();
            HttpClient http = HttpClient.newHttpClient();
            long samples = 0;
            StringBuilder body = new StringBuilder();
            StringBuilder ts = new StringBuilder();
            for (int i = 0; i < points; i++) {
                ts.append(i == 0 ? "" : ",").append((from + i * STEP) * 1000);
            }
            String timestamps = ts.toString();
            for (int a = 0; a < apps; a++) {
                double level = 0.05 + 0.9 * ((a * 7919) % 1000) / 1000.0; // spread over 5–95 % of requests
                int peakHour = a % 24;
                for (int p = 0; p < pods; p++) {
                    String labels = "\"cluster\":\"" + cluster + "\",\"namespace\":\"" + ns + "\",\"pod\":\"app-" + a + "-5d8f7c9b6-p" + p
                            + "\",\"container\":\"main\"";
                    StringBuilder cpu = new StringBuilder();
                    StringBuilder mem = new StringBuilder();
                    double counter = 0;
                    for (int i = 0; i < points; i++) {
                        long t = from + i * STEP;
                        double hour = Math.floorMod(t, 86_400L) / 3600.0;
                        double use = level * (0.6 + 0.4 * Math.cos((hour - peakHour) / 24 * 2 * Math.PI));
                        counter += use * 0.5 * STEP;
                        cpu.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", counter));
                        mem.append(i == 0 ? "" : ",").append((long) (level * 0.8 * 1024 * 1024 * 1024));
                    }
                    body.append("{\"metric\":{\"__name__\":\"container_cpu_usage_seconds_total\",").append(labels).append("},\"values\":[")
                            .append(cpu).append("],\"timestamps\":[").append(timestamps).append("]}\n");
                    body.append("{\"metric\":{\"__name__\":\"container_memory_working_set_bytes\",").append(labels).append("},\"values\":[")
                            .append(mem).append("],\"timestamps\":[").append(timestamps).append("]}\n");
                    samples += 2L * points;
                }
                if (a % 50 == 49 || a == apps - 1) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/import"))
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() / 100 != 2) {
                        throw new IOException("import: HTTP " + r.statusCode() + " " + r.body());
                    }
                    body.setLength(0);
                }
            }
            http.send(HttpRequest.newBuilder(URI.create(base + "/internal/force_flush")).GET().build(), HttpResponse.BodyHandlers.discarding());
            System.out.printf("history: %d apps × %d pods × %d points × 2 series = %,d samples written in %.1f s (cluster label %s)%n",
                    apps, pods, points, samples, (System.nanoTime() - t0) / 1e9, cluster);
        }
        List<AppTarget> targets = new ArrayList<>();
        for (int a = 0; a < apps; a++) {
            targets.add(new AppTarget(cluster, "idc-bench", ns, "app-" + a, List.of("app-" + a), List.of(), pods, 0.5, 1024.0 * 1024 * 1024,
                    a % 5 == 0, a % 3 == 0));
        }
        AdviceSettings settings = AdviceSettings.defaults().withParallelism(parallelism);
        PrometheusClient client = new PrometheusClient(URI.create(base), Duration.ofSeconds(60));
        long vmPid = vmPid();
        double[] walls = new double[rounds];
        System.gc();
        double baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        System.out.printf("heap after GC before the runs (Maven's own included, exec:java runs in its JVM): %.0f MiB%n", baseline);
        for (int r = 0; r < rounds; r++) {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long alloc0 = threads.getTotalThreadAllocatedBytes();
            long cpu0 = cpuTicks(vmPid);
            long t0 = System.nanoTime();
            AdviceReport report = new Advisor(client::queryRange, settings, "app").run(targets, Instant.now());
            walls[r] = (System.nanoTime() - t0) / 1e9;
            double vmCpu = (cpuTicks(vmPid) - cpu0) / 100.0;
            double allocated = (threads.getTotalThreadAllocatedBytes() - alloc0) / 1048576.0;
            int stored = tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(report).length();
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            System.out.printf("round %d: %d apps (%d failed), %d profiles, %d advice, %d+%d pairs in %.1f s; store CPU %.1f s;"
                            + " allocated %.0f MiB; heap after GC holding the report %.0f MiB (+%.0f); report as stored %.1f MiB of JSON%n", r + 1, targets.size(), report.failedApps(), report.profiles().size(),
                    report.advice().size(), report.similar().size(), report.complementary().size(), walls[r], vmCpu, allocated, heap.getUsed() / 1048576.0,
                    heap.getUsed() / 1048576.0 - baseline, stored / 1048576.0);
            if (report.firstError() != null) {
                System.out.println("  first error: " + report.firstError());
            }
        }
        double[] sorted = walls.clone();
        Arrays.sort(sorted);
        System.out.printf("median %.1f s for %d apps (%.1f ms per app, 3 range queries each, parallelism %d); peak RSS of this JVM"
                + " (Maven's included) %s%n", sorted[rounds / 2], apps, sorted[rounds / 2] * 1000 / apps, parallelism, status("VmHWM"));
    }

    private static long vmPid() throws IOException {
        Path pid = Path.of(System.getProperty("user.home"), ".cache/noah/run/victoria-metrics/vm.pid");
        return Files.exists(pid) ? Long.parseLong(Files.readString(pid).trim()) : -1;
    }

    private static long cpuTicks(long pid) throws IOException {
        if (pid < 0 || !Files.exists(Path.of("/proc/" + pid + "/stat"))) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String status(String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(key + ":"))
                .map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
    }
}
