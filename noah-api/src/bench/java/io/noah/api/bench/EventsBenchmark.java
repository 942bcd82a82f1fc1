package io.noah.api.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.api.NoahProcess;
import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Change → Kafka latency of the event publisher, and its publishing gap on hand-over and on crash
 * (not a test; prints figures). Noah runs as separate JVMs ({@link NoahProcess}), the load generator
 * writes pods to both local clusters, and a read_committed consumer in this JVM sees each event.
 *
 * <p>A "pod change" is one write by the load generator: a pod created (pre-bound to a KWOK node) or
 * deleted. Its latency runs from just before the write request is sent to when the consumer reads
 * the matching {@code io.noah.pod.added}/{@code deleted} event: an upper bound for change → Kafka
 * ack (it includes the API server's write and the consumer's fetch). Noah's own histogram
 * (watch event received → transaction acknowledged) is printed beside it.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -DskipTests install && mvn -pl noah-api
 * test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.EventsBenchmark}
 */
public final class EventsBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Map<String, Long> SENT = new ConcurrentHashMap<>();
    private static final Map<String, Long> WATCHED = new ConcurrentHashMap<>();
    private static final List<long[]> SEEN = new CopyOnWriteArrayList<>(); // {clusterIndex, seenNanos, latency from the write or -1, latency from the watch or -1}
    private static final AtomicBoolean STOP = new AtomicBoolean();
    private static LocalStack stack;
    private static String ns;
    private static List<String> clusters;

    public static void main(String[] args) throws Exception {
        int steadyRate = Integer.getInteger("rate", 200);
        int steadySeconds = Integer.getInteger("seconds", 30);
        int burst = Integer.getInteger("burst", 2000);
        String lease = System.getProperty("lease", "5s");
        String phases = System.getProperty("phases", "steady,burst,handover");
        int warmup = Integer.getInteger("warmup", 30);
        if (EventsBenchmark.class.getClassLoader() instanceof java.net.URLClassLoader u) {
            // exec:java runs in Maven's JVM: the Noah processes need the project's test classpath
            StringBuilder cp = new StringBuilder();
            for (java.net.URL url : u.getURLs()) {
                cp.append(cp.isEmpty() ? "" : java.io.File.pathSeparator).append(java.nio.file.Path.of(url.toURI()));
            }
            System.setProperty("noah.classpath", cp.toString());
        }
        // Noah's JVMs as deploy/local/dev.sh launches it (ZGC), unless -Dnoah.jvm-options says otherwise
        System.setProperty("noah.jvm-options", System.getProperty("noah.jvm-options", "-XX:+UseZGC -Xmx1g"));
        stack = LocalStack.get();
        clusters = stack.clusters().subList(0, 2);
        NoahServer.get(); // registers the clusters in the database
        NoahServer.get().stop(); // and frees the CPU for the measured instances
        String id = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        ns = "bench-ev-" + id;
        String prefix = "bench" + id + ".";
        for (String c : clusters) {
            KubernetesClient k = stack.client(c);
            k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            while (k.serviceAccounts().inNamespace(ns).withName("default").get() == null) {
                Thread.sleep(50);
            }
        }
        for (String c : clusters) {
            watch(c);
        }
        Map<String, String> props = Map.of("noah.events.bootstrap-servers", stack.kafkaBootstrapServers(),
                "noah.events.topic-prefix", prefix, "noah.events.lease", lease, "noah.events.poll", "500ms",
                "noah.events.partitions", "3");
        List<NoahProcess> procs = new ArrayList<>();
        Thread consumer = Thread.ofPlatform().start(() -> consume(prefix + "changes"));
        try {
            NoahProcess a = NoahProcess.start(stack, "bench-a-" + id, "15s", props);
            procs.add(a);
            Thread.sleep(5_000);

            // a JVM's first tens of seconds are JIT compilation on these 2 cores: not what a long-running control plane sees
            System.out.printf("warm-up: %d s at 100 changes/s%n", warmup);
            run(100, warmup, 16);
            Thread.sleep(3_000);
            Map<String, Map<String, java.util.TreeMap<Double, Double>>> marks = new java.util.HashMap<>();
            noahFigures("warm-up", a, marks);
            SEEN.clear();
            if (phases.contains("steady")) {
                System.out.printf("steady: %d changes/s for %d s%n", steadyRate, steadySeconds);
                double achieved = run(steadyRate, steadySeconds, 32);
                report("steady " + steadyRate + "/s (achieved " + Math.round(achieved) + "/s)", 5_000);
                noahFigures("steady", a, marks);
            }
            if (phases.contains("burst")) {
                SEEN.clear();
                System.out.printf("burst: %d pod creates as fast as the API servers take them%n", burst);
                double burstRate = burst(burst, 64);
                report("burst of " + burst + " (achieved " + Math.round(burstRate) + "/s)", 20_000);
                noahFigures("burst", a, marks);
            }
            cleanup();
            if (!phases.contains("handover")) {
                return;
            }

            // graceful hand-over: a second instance joins, the first hands a cluster over (fair share)
            AtomicBoolean loadStop = new AtomicBoolean();
            Thread load = Thread.ofVirtual().start(() -> runUntil(50, loadStop));
            Thread.sleep(3_000);
            SEEN.clear();
            long joinAt = System.nanoTime();
            NoahProcess b = NoahProcess.start(stack, "bench-b-" + id, "15s", props);
            procs.add(b);
            // it joins once its caches have listed and it read the state topics: measure until it holds its share
            awaitHolds(b);
            Thread.sleep(8_000);
            gap("graceful hand-over (second instance joins)", joinAt);
            SEEN.clear();
            long termAt = System.nanoTime();
            a.close(); // SIGTERM: publishes what it holds, releases its leases
            Thread.sleep(12_000);
            gap("graceful hand-over (SIGTERM of an instance)", termAt);
            loadStop.set(true);
            load.join();
            cleanup();

            // crash: a third instance joins; the holder of the first cluster is killed -9
            AtomicBoolean loadStop2 = new AtomicBoolean();
            load = Thread.ofVirtual().start(() -> runUntil(50, loadStop2));
            NoahProcess c = NoahProcess.start(stack, "bench-c-" + id, "15s", props);
            procs.add(c);
            awaitHolds(c);
            Thread.sleep(5_000);
            NoahProcess victim = holderOf(b, "cluster." + clusters.get(0)).equals(b.instanceId()) ? b : c;
            SEEN.clear();
            long killAt = System.nanoTime();
            victim.kill9();
            Thread.sleep(Duration.parse("PT" + lease.toUpperCase()).toMillis() + 15_000);
            gap("crash (kill -9 of the holder, lease " + lease + ")", killAt);
            loadStop2.set(true);
            load.join();
        } catch (Throwable t) {
            t.printStackTrace(System.out);
        } finally {
            STOP.set(true);
            procs.forEach(NoahProcess::close);
            consumer.join(5_000);
            for (String c : clusters) {
                stack.client(c).namespaces().withName(ns).delete();
            }
            System.exit(0);
        }
    }

    /**
     * The benchmark's own watch of the pods: when a change becomes visible to a watcher (the earliest
     * point anyone can see it), the start of change → consumer without the API server's write.
     */
    private static void watch(String cluster) {
        stack.client(cluster).pods().inNamespace(ns).watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.Pod pod) {
                long now = System.nanoTime();
                String key = cluster + "/" + pod.getMetadata().getName();
                if (action == Action.ADDED) {
                    WATCHED.putIfAbsent(key + "+", now);
                } else if (action == Action.DELETED) {
                    WATCHED.putIfAbsent(key + "-", now);
                }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                if (!STOP.get()) {
                    System.out.println("benchmark watch closed: " + cause);
                }
            }
        });
    }

    /** Until an instance publishes at least one cluster (it joins once its caches listed and it read the state topics). */
    private static void awaitHolds(NoahProcess p) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (clusters.stream().noneMatch(c -> holderOf(p, "cluster." + c).equals(p.instanceId())) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static String holderOf(NoahProcess p, String work) {
        NoahServer.Response r = NoahServer.get().sendTo(p.port(), "GET", "/api/v1/events/publishers", NoahServer.ADMIN_TOKEN, null);
        for (JsonNode i : r.body().get("items")) {
            if (i.get("work").asString().equals(work)) {
                return i.get("holder").asString();
            }
        }
        return "";
    }

    private static void consume(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            while (parts.isEmpty() && !STOP.get()) {
                var infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null) {
                    infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                }
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (!STOP.get()) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    JsonNode e = JSON.readTree(r.value());
                    String type = e.get("type").asString();
                    JsonNode d = e.get("data");
                    if (d == null || d.get("namespace") == null || !ns.equals(d.get("namespace").asString())) {
                        continue;
                    }
                    String cluster = d.get("cluster").asString();
                    String what = type.equals("io.noah.pod.added") ? "+" : type.equals("io.noah.pod.deleted") ? "-" : null;
                    String key = cluster + "/" + d.get("name").asString() + what;
                    Long sent = what == null ? null : SENT.remove(key);
                    Long watched = what == null ? null : WATCHED.remove(key);
                    SEEN.add(new long[]{clusters.indexOf(cluster), now, sent == null ? -1 : now - sent, watched == null ? -1 : now - watched});
                }
            }
        }
    }

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Map<String, Deque<String>> LIVE = new ConcurrentHashMap<>();

    private static void change(String cluster, boolean create) {
        KubernetesClient k = stack.client(cluster);
        Deque<String> live = LIVE.computeIfAbsent(cluster, x -> new ArrayDeque<>());
        String victim = null;
        if (!create) {
            synchronized (live) {
                victim = live.pollFirst();
            }
            if (victim == null) {
                create = true;
            }
        }
        if (create) {
            int n = SEQ.incrementAndGet();
            String name = "p" + n;
            SENT.put(cluster + "/" + name + "+", System.nanoTime());
            // raw JSON over the client's HTTP stack: the generator shares the 2 cores with everything it measures
            write(k, "POST", "/api/v1/namespaces/" + ns + "/pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},"
                    + "\"spec\":{\"nodeName\":\"%s\",\"containers\":[{\"name\":\"main\",\"image\":\"registry.local/bench:1\"}]}}")
                    .formatted(name, cluster + "-node-" + (1 + n % 4)));
            synchronized (live) {
                live.addLast(name);
            }
        } else {
            SENT.put(cluster + "/" + victim + "-", System.nanoTime());
            write(k, "DELETE", "/api/v1/namespaces/" + ns + "/pods/" + victim, "{\"gracePeriodSeconds\":0}");
        }
    }

    private static void write(KubernetesClient k, String method, String path, String body) {
        var http = k.getHttpClient();
        var b = http.newHttpRequestBuilder().uri(k.getMasterUrl().toString().replaceAll("/$", "") + path);
        var request = (method.equals("POST") ? b.post("application/json", body) : b.delete("application/json", body)).build();
        var response = http.sendAsync(request, byte[].class).join();
        if (response.code() >= 300) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.code() + " " + new String(response.body()));
        }
    }

    /** Open-loop load: {@code rate} changes per second (creates, and deletes once 150 pods live per cluster). */
    private static double run(int rate, int seconds, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        int total = rate * seconds;
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String cluster = clusters.get(i % 2);
            boolean create = LIVE.getOrDefault(cluster, new ArrayDeque<>()).size() < 150 || (i / 2) % 2 == 0;
            pool.submit(() -> {
                try {
                    change(cluster, create);
                } catch (RuntimeException e) {
                    System.out.println("write failed: " + e);
                }
                done.incrementAndGet();
            });
        }
        pool.shutdown();
        pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Background load for the hand-over measurements, one second at a time until stopped. */
    private static void runUntil(int rate, AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                run(rate, 1, 8);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double burst(int n, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String cluster = clusters.get(i % 2);
            pool.submit(() -> change(cluster, true));
        }
        pool.shutdown();
        pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static void report(String what, long settleMs) throws InterruptedException {
        Thread.sleep(settleMs);
        List<Long> lat = new ArrayList<>();
        List<Long> fromWatch = new ArrayList<>();
        for (long[] s : SEEN) {
            if (s[2] >= 0) {
                lat.add(s[2]);
            }
            if (s[3] >= 0) {
                fromWatch.add(s[3]);
            }
        }
        Collections.sort(lat);
        Collections.sort(fromWatch);
        int missing = (int) SENT.size();
        System.out.printf("%s: n=%d, write sent → consumer p50 %.1f ms, p99 %.1f ms, max %.1f ms (unmatched writes: %d)%n",
                what, lat.size(), pct(lat, 0.50), pct(lat, 0.99), lat.isEmpty() ? 0 : lat.getLast() / 1e6, missing);
        System.out.printf("%s: n=%d, change visible to a watch → consumer p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                what, fromWatch.size(), pct(fromWatch, 0.50), pct(fromWatch, 0.99), fromWatch.isEmpty() ? 0 : fromWatch.getLast() / 1e6);
        SENT.clear();
        WATCHED.clear();
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    /** The longest stretch without any event of a cluster, and the slowest change, after {@code at}. */
    private static void gap(String what, long at) {
        for (int ci = 0; ci < 2; ci++) {
            List<long[]> mine = new ArrayList<>();
            for (long[] s : SEEN) {
                if (s[0] == ci) {
                    mine.add(s);
                }
            }
            mine.sort((x, y) -> Long.compare(x[1], y[1]));
            long last = at;
            long maxGap = 0;
            long maxLat = 0;
            for (long[] s : mine) {
                maxGap = Math.max(maxGap, s[1] - last);
                last = s[1];
                maxLat = Math.max(maxLat, s[2]);
            }
            maxGap = Math.max(maxGap, System.nanoTime() - last); // a stretch still open at the end counts too
            System.out.printf("%s, %s: longest stretch without events %.2f s, slowest change %.2f s (%d events)%n",
                    what, clusters.get(ci), maxGap / 1e9, maxLat / 1e9, mine.size());
        }
    }

    private static void cleanup() throws InterruptedException {
        for (String c : clusters) {
            Deque<String> live = LIVE.computeIfAbsent(c, x -> new ArrayDeque<>());
            List<String> names;
            synchronized (live) {
                names = new ArrayList<>(live);
                live.clear();
            }
            names.parallelStream().forEach(n -> stack.client(c).pods().inNamespace(ns).withName(n).withGracePeriod(0).delete());
        }
        Thread.sleep(5_000);
        SENT.clear();
        WATCHED.clear();
    }

    /** The cumulative bucket counts of a Prometheus histogram, per unit: unit → (upper bound → count). */
    private static Map<String, java.util.TreeMap<Double, Double>> buckets(NoahProcess p, String metric) {
        String text = NoahServer.get().sendTo(p.port(), "GET", "/actuator/prometheus", NoahServer.ADMIN_TOKEN, null).raw();
        Map<String, java.util.TreeMap<Double, Double>> out = new java.util.TreeMap<>();
        for (String l : text.lines().toList()) {
            if (!l.startsWith(metric + "_bucket{")) {
                continue;
            }
            String unit = l.replaceAll(".*unit=\"([^\"]+)\".*", "$1");
            String le = l.replaceAll(".*le=\"([^\"]+)\".*", "$1");
            double count = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            out.computeIfAbsent(unit, x -> new java.util.TreeMap<>()).put(le.equals("+Inf") ? Double.MAX_VALUE : Double.parseDouble(le), count);
        }
        return out;
    }

    /** p50/p99 of what a histogram recorded between two scrapes (bucket bounds, so "≤" values). */
    private static String window(Map<String, java.util.TreeMap<Double, Double>> after, Map<String, java.util.TreeMap<Double, Double>> before) {
        StringBuilder sb = new StringBuilder();
        after.forEach((unit, bs) -> {
            java.util.TreeMap<Double, Double> b0 = before.getOrDefault(unit, new java.util.TreeMap<>());
            List<double[]> diff = new ArrayList<>();
            bs.forEach((le, n) -> diff.add(new double[]{le, n - b0.getOrDefault(le, 0.0)}));
            double total = diff.getLast()[1];
            if (total > 0) {
                sb.append(unit).append(": n=").append((long) total).append(" p50≤").append(q(diff, total * 0.5))
                        .append(" p99≤").append(q(diff, total * 0.99)).append("; ");
            }
        });
        return sb.toString();
    }

    private static void noahFigures(String phase, NoahProcess p, Map<String, Map<String, java.util.TreeMap<Double, Double>>> before) {
        for (String metric : List.of("noah_events_latency_seconds", "noah_events_commit_seconds")) {
            Map<String, java.util.TreeMap<Double, Double>> now = buckets(p, metric);
            System.out.printf("%s: Noah %s: %s%n", phase, metric.equals("noah_events_latency_seconds")
                    ? "watch event → Kafka ack" : "transaction (begin → commit acknowledged)", window(now, before.getOrDefault(metric, Map.of())));
            before.put(metric, now);
        }
    }

    private static String q(List<double[]> bs, double rank) {
        for (double[] b : bs) {
            if (b[1] >= rank) {
                return b[0] == Double.MAX_VALUE ? "inf" : Math.round(b[0] * 1000) + " ms";
            }
        }
        return "?";
    }
}
