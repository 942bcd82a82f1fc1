package io.noah.api.bench;

import io.noah.api.NoahProcess;
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
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.ExecBenchmark} (-Drounds=5 -Dwarmup=3 -Dpods=250 -DfanOut=50 -DkubectlRounds=3;
 * -Dnoah.tls-engine=jdk|openssl; -Dcompare=jdk|openssl: a second Noah with that engine, rounds alternating)
 */
public final class ExecBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        int perCluster = Integer.getInteger("pods", 250);
        int fanOut = Integer.getInteger("fanOut", 50);
        // rounds not counted: the JIT compiles Noah's exec path during the first ones (its CPU per exec halves)
        int warmup = Integer.getInteger("warmup", 3);
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
            // -Dcompare=jdk|openssl: a second Noah with that TLS engine, rounds alternating between the two (same run, same noise)
            String compare = System.getProperty("compare");
            List<int[]> ports = new ArrayList<>(List.of(new int[]{noah.port()}));
            List<String> labels = new ArrayList<>(List.of(System.getProperty("noah.tls-engine", "auto")));
            NoahProcess second = null;
            if (compare != null) {
                second = NoahProcess.start(stack, "bench-" + compare, "15s", Map.of("noah.tls-engine", compare));
                while (noah.sendTo(second.port(), "GET", "/api/v1/pods?namespace=" + ns + "&phase=Running&limit=5000", NoahServer.ADMIN_TOKEN, null)
                        .body().get("items").size() < total) {
                    Thread.sleep(200);
                }
                ports.add(new int[]{second.port()});
                labels.add(compare);
            }
            Map<String, List<Double>> walls = new java.util.LinkedHashMap<>();
            Map<String, List<Double>> noahMs = new java.util.LinkedHashMap<>();
            List<Double> threads = new ArrayList<>();
            int baseThreads = threads(noah.port());
            Map<String, Double> cpuSeconds = new java.util.TreeMap<>();
            for (int r = 1 - warmup; r <= rounds; r++) {
                for (int i0 = 0; i0 < ports.size(); i0++) {
                    int i = (r & 1) == 0 ? i0 : ports.size() - 1 - i0;
                    int port = ports.get(i)[0];
                    String label = labels.get(i);
                    AtomicBoolean running = new AtomicBoolean(true);
                    List<Integer> samples = Collections.synchronizedList(new ArrayList<>());
                    Thread sampler = Thread.ofVirtual().start(() -> {
                        while (running.get()) {
                            samples.add(threads(port));
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    });
                    Map<String, Long> cpu0 = cpuTicks(port);
                    long t0 = System.nanoTime();
                    var started = noah.sendTo(port, "POST", "/api/v1/exec-jobs", NoahServer.ADMIN_TOKEN, Map.of("targets", Map.of("namespace", ns,
                            "deployment", "fleet"), "command", List.of("echo", "ok"), "fanOut", fanOut, "maxTargets", 5000, "reason", "benchmark"));
                    if (started.status() != 201) {
                        throw new IllegalStateException(started.raw());
                    }
                    String id = started.body().get("id").asString();
                    // the end as a client sees it: the job's event stream, whose last event is the result
                    var lines = noah.http().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                                    + "/api/v1/exec-jobs/" + id + "/events")).header("Authorization", "Bearer " + NoahServer.ADMIN_TOKEN)
                            .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofLines()).body();
                    boolean result = lines.anyMatch(l -> l.equals("event:result"));
                    double wall = (System.nanoTime() - t0) / 1e9;
                    JsonNode job = noah.sendTo(port, "GET", "/api/v1/exec-jobs/" + id, NoahServer.ADMIN_TOKEN, null).body();
                    if (!result || job.get("state").asString().equals("running")) {
                        throw new IllegalStateException("the stream ended without the result: " + job);
                    }
                    running.set(false);
                    sampler.join();
                    Map<String, Long> cpu1 = cpuTicks(port);
                    StringBuilder where = new StringBuilder();
                    double stackSeconds = 0;
                    for (String k : cpu1.keySet()) {
                        double sec = (cpu1.get(k) - cpu0.getOrDefault(k, 0L)) / 100.0;
                        where.append(String.format(" %s %.2f", k, sec));
                        if (STACK.contains(k)) {
                            stackSeconds += sec;
                        }
                        if (r > 0 && i == 0) {
                            cpuSeconds.merge(k, sec, Double::sum);
                        }
                        if (r > 0 && k.equals("noah")) {
                            noahMs.computeIfAbsent(label, x -> new ArrayList<>()).add(sec * 1000 / job.get("total").asInt());
                        }
                    }
                    System.out.printf("  CPU seconds:%s; the API servers, etcds and KWOKs (with the commands they ran) alone would keep 2 cores busy %.2f s%n",
                            where, stackSeconds / 2);
                    int ok = job.get("counts").path("success").asInt();
                    System.out.printf("round %d%s [%s]: %d pods, %d success, wall %.2f s, peak concurrency %d, threads max %d (before %d)%n", r,
                            r <= 0 ? " (warm-up)" : "", label, job.get("total").asInt(), ok, wall, job.get("peakConcurrency").asInt(),
                            samples.stream().mapToInt(Integer::intValue).max().orElse(0), baseThreads);
                    if (r > 0) {
                        walls.computeIfAbsent(label, x -> new ArrayList<>()).add(wall);
                        if (i == 0) {
                            threads.add((double) samples.stream().mapToInt(Integer::intValue).max().orElse(0));
                        }
                    }
                }
            }
            if (second != null) {
                second.close();
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
            for (int r = 0; r < Integer.getInteger("kubectlRounds", Math.min(rounds, 3)); r++) {
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("bash", "-c", "xargs -P " + fanOut + " -L 1 sh -c '" + stack.kubectl()
                        + " --kubeconfig $0 -n " + ns + " exec $1 -- echo ok >/dev/null' < " + list).inheritIO().start();
                int rc = p.waitFor();
                double wall = (System.nanoTime() - t0) / 1e9;
                System.out.printf("kubectl round %d: exit %d, wall %.2f s%n", r + 1, rc, wall);
                kubectlWalls.add(wall);
            }
            Files.deleteIfExists(list);
            for (String label : walls.keySet()) {
                List<Double> w = walls.get(label);
                System.out.printf("%nNoah [%s] batch exec, %d pods, fan-out %d: wall median %.2f s (min %.2f, max %.2f) over %d rounds;"
                        + " Noah's CPU per exec median %.2f ms%n", label, total, fanOut, median(w), Collections.min(w), Collections.max(w), w.size(),
                        median(noahMs.get(label)));
            }
            if (walls.size() == 2) {
                System.out.printf("[%s] / [%s]: wall %.2f, Noah's CPU per exec %.2f (medians, same run)%n", labels.get(0), labels.get(1),
                        median(walls.get(labels.get(0))) / median(walls.get(labels.get(1))),
                        median(noahMs.get(labels.get(0))) / median(noahMs.get(labels.get(1))));
            }
            System.out.printf("Noah [%s]: live threads max median %.0f (before %d)%n", labels.get(0), median(threads), baseThreads);
            StringBuilder perExec = new StringBuilder();
            double stackPerExec = 0;
            for (var e : cpuSeconds.entrySet()) {
                double ms = e.getValue() * 1000 / (total * (double) walls.get(labels.get(0)).size());
                perExec.append(String.format(" %s %.1f ms", e.getKey(), ms));
                if (STACK.contains(e.getKey())) {
                    stackPerExec += ms;
                }
            }
            System.out.printf("CPU per exec (mean over the measured rounds):%s; the API servers, etcds and KWOKs alone need %d execs"
                    + " × their share = %.2f s of both cores, whatever Noah does%n", perExec, total, stackPerExec * total / 1000 / 2);
            if (!kubectlWalls.isEmpty()) System.out.printf("kubectl exec, %d at once: wall median %.2f s over %d rounds; ratio kubectl / Noah %.1f%n", fanOut,
                    median(kubectlWalls), kubectlWalls.size(), median(kubectlWalls) / median(walls.get(labels.get(0))));
        } finally {
            deleteAndWait(stack, ns);
            noah.stop();
        }
    }

    /**
     * CPU ticks (1/100 s) of this machine's processes by role, children included (KWOK runs each exec'd command as its
     * child): noah (the Noah JVM), harness (this JVM), kube-apiserver, etcd, kwok, other.
     */
    static Map<String, Long> cpuTicks() {
        return cpuTicks(-1);
    }

    /** As {@link #cpuTicks()}; a Noah JVM serving another port than {@code noahPort} is "noah-idle". */
    static Map<String, Long> cpuTicks(int noahPort) {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        long self = ProcessHandle.current().pid();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.filter(x -> x.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String stat;
                try {
                    stat = Files.readString(d.resolve("stat"));
                } catch (java.io.IOException gone) {
                    continue;
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields after comm: state=0 ... utime=11 stime=12 cutime=13 cstime=14
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
                long pid = Long.parseLong(d.getFileName().toString());
                String role = pid == self ? "harness" : comm.equals("java") ? javaRole(d, noahPort) : comm.startsWith("kube-apiserver") ? "kube-apiserver"
                        : comm.equals("etcd") ? "etcd" : comm.startsWith("kwok") ? "kwok" : comm.startsWith("postgres") ? "postgres" : "other";
                ticks.merge(role, t, Long::sum);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ticks;
    }

    private static String javaRole(Path proc, int noahPort) {
        try {
            String cmd = Files.readString(proc.resolve("cmdline"));
            if (cmd.contains("noah.jar")) {
                return noahPort < 0 || cmd.contains("--server.port=" + noahPort + "\0") ? "noah" : "noah-idle";
            }
            return cmd.contains("kafka.Kafka") ? "kafka" : "other";
        } catch (java.io.IOException gone) {
            return "other";
        }
    }

    static final java.util.Set<String> STACK = java.util.Set.of("kube-apiserver", "etcd", "kwok");

    private static int threads(int port) {
        return (int) NoahServer.get().sendTo(port, "GET", "/actuator/prometheus", NoahServer.ADMIN_TOKEN, null).raw().lines().filter(l -> l.startsWith("jvm_threads_live_threads"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * Deletes the namespace in every cluster and waits (up to 5 minutes) until it is gone: deleting 500 pods keeps
     * etcd's disk busy for a minute, which a run started at once would measure.
     */
    static void deleteAndWait(LocalStack stack, String ns) throws InterruptedException {
        for (String c : stack.clusters()) {
            stack.client(c).namespaces().withName(ns).delete();
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        for (String c : stack.clusters()) {
            while (stack.client(c).namespaces().withName(ns).get() != null && System.nanoTime() < deadline) {
                Thread.sleep(1000);
            }
        }
        System.out.println("namespace " + ns + " deleted");
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
