package io.noah.api;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.Workloads;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Synthetic load written into the stack's VictoriaMetrics every second, as a scraper would: for each fed app, its ready
 * pods (read live from Kubernetes) share a total. {@code cpu}: cAdvisor's {@code container_cpu_usage_seconds_total}
 * counter advancing at total/ready cores per pod (what the default cpu query reads through rate()); {@code rps}: a
 * gauge {@code noah_test_rps} per pod (what a custom strategy reads, and steps at once). Stops when closed.
 */
final class MetricFeeder implements AutoCloseable {

    private record Feed(String cluster, KubernetesClient client, String ns, String app) {
    }

    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Feed, Double> cpuTotal = new ConcurrentHashMap<>();
    private final Map<Feed, Double> rpsPerPod = new ConcurrentHashMap<>();
    private final Map<String, Double> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
    private long lastMillis = System.currentTimeMillis();

    MetricFeeder(String base) {
        this.base = base;
        loop.scheduleWithFixedDelay(this::feed, 0, 1, TimeUnit.SECONDS);
    }

    /** The app's ready pods share {@code cores} of CPU from now on. */
    void cpu(String cluster, KubernetesClient client, String ns, String app, double cores) {
        cpuTotal.put(new Feed(cluster, client, ns, app), cores);
    }

    /** Every ready pod of the app reports {@code rps} from now on. */
    void rps(String cluster, KubernetesClient client, String ns, String app, double rps) {
        rpsPerPod.put(new Feed(cluster, client, ns, app), rps);
    }

    private synchronized void feed() {
        try {
            long now = System.currentTimeMillis();
            double dt = (now - lastMillis) / 1000.0;
            lastMillis = now;
            StringBuilder lines = new StringBuilder();
            cpuTotal.forEach((f, total) -> {
                var pods = Workloads.readyPods(f.client(), f.ns(), f.app());
                for (var p : pods) {
                    String pod = p.getMetadata().getName();
                    double c = counters.merge(f.cluster() + "/" + f.ns() + "/" + pod, total / pods.size() * dt, Double::sum);
                    lines.append("container_cpu_usage_seconds_total{cluster=\"").append(f.cluster()).append("\",namespace=\"").append(f.ns())
                            .append("\",pod=\"").append(pod).append("\",container=\"main\"} ").append(c).append(' ').append(now).append('\n');
                }
            });
            rpsPerPod.forEach((f, rps) -> {
                for (var p : Workloads.readyPods(f.client(), f.ns(), f.app())) {
                    lines.append("noah_test_rps{cluster=\"").append(f.cluster()).append("\",namespace=\"").append(f.ns())
                            .append("\",pod=\"").append(p.getMetadata().getName()).append("\"} ").append(rps).append(' ').append(now).append('\n');
                }
            });
            if (!lines.isEmpty()) {
                http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/import/prometheus"))
                        .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build(), HttpResponse.BodyHandlers.discarding());
                http.send(HttpRequest.newBuilder(URI.create(base + "/internal/force_flush")).GET().build(), HttpResponse.BodyHandlers.discarding());
            }
        } catch (Exception e) {
            System.err.println("metric feeder: " + e);
        } catch (Throwable t) {
            System.err.println("metric feeder: " + t);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
