package io.noah.api.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.ops.PodExecs;
import io.noah.cluster.registry.KubeClientFactory;
import io.noah.cluster.registry.TlsEngine;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exec transport alone, side by side: {@code echo ok} in 500 pods (250 per local cluster, idc-a on a client
 * certificate, idc-b on a token, as Noah registers them in the tests) at 50 at once through {@link PodExecs#run} with
 * the JDK's TLS engine and with OpenSSL ({@link TlsEngine}), rounds alternating between the two so the machine's noise
 * falls on both. Per round: wall time, this JVM's CPU per exec (the client side: TLS, websocket, channel protocol) and
 * the API servers', etcds' and KWOKs' CPU per exec (the server side of the same handshakes).
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -o install -DskipTests && mvn -pl noah-api test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.ExecTransportBenchmark} (-Drounds=5 -Dwarmup=2
 * -Dpods=250 -DfanOut=50 -Dengines=JDK,OPENSSL)
 */
public final class ExecTransportBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 5);
        int warmup = Integer.getInteger("warmup", 2);
        int perCluster = Integer.getInteger("pods", 250);
        int fanOut = Integer.getInteger("fanOut", 50);
        LocalStack stack = LocalStack.get();
        String ns = "bench-tls-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        Map<TlsEngine, Map<String, KubernetesClient>> clients = new EnumMap<>(TlsEngine.class);
        List<TlsEngine> engines = java.util.Arrays.stream(System.getProperty("engines", "JDK,OPENSSL").split(",")).map(String::trim)
                .map(x -> TlsEngine.valueOf(x.toUpperCase(java.util.Locale.ROOT))).toList();
        for (TlsEngine e : engines) {
            KubeClientFactory f = new KubeClientFactory(Duration.ofSeconds(5), Duration.ofSeconds(30), false, e);
            Map<String, KubernetesClient> byCluster = new java.util.TreeMap<>();
            for (String c : stack.clusters()) {
                ClusterConnection conn = c.equals(stack.clusters().getFirst()) ? new ClusterConnection.Kubeconfig(stack.kubeconfigText(c), null)
                        : new ClusterConnection.Token(stack.server(c), stack.token(c), stack.caCertificate(c));
                byCluster.put(c, f.create(conn));
            }
            clients.put(e, byCluster);
        }
        for (String c : stack.clusters()) {
            LocalStack.createNamespace(stack.client(c), ns);
            stack.client(c).apps().deployments().inNamespace(ns).resource(Workloads.deployment("fleet", perCluster)).create();
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            List<String[]> targets = new ArrayList<>();
            for (String c : stack.clusters()) {
                while (Workloads.readyReplicas(stack.client(c), ns, "fleet") < perCluster) {
                    Thread.sleep(200);
                }
                Workloads.readyPods(stack.client(c), ns, "fleet").forEach(p -> targets.add(new String[]{c, p.getMetadata().getName()}));
            }
            Map<TlsEngine, List<Double>> walls = new EnumMap<>(TlsEngine.class);
            Map<TlsEngine, List<Double>> clientMs = new EnumMap<>(TlsEngine.class);
            Map<TlsEngine, List<Double>> stackMs = new EnumMap<>(TlsEngine.class);
            for (int r = 1 - warmup; r <= rounds; r++) {
                for (TlsEngine e : r % 2 == 0 ? engines : engines.reversed()) {
                    Map<String, Long> cpu0 = ExecBenchmark.cpuTicks();
                    long self0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    AtomicInteger ok = new AtomicInteger();
                    Semaphore slots = new Semaphore(fanOut);
                    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                        for (String[] t : targets) {
                            slots.acquireUninterruptibly();
                            pool.submit(() -> {
                                try {
                                    var res = PodExecs.run(clients.get(e).get(t[0]), ns, t[1], null, List.of("echo", "ok"), Duration.ofSeconds(30), 4096);
                                    if (res.kind() == PodExecs.Result.Kind.EXITED && res.exitCode() == 0 && res.stdout().trim().equals("ok")) {
                                        ok.incrementAndGet();
                                    } else if (ok.get() < 3) {
                                        System.out.println("  " + t[0] + "/" + t[1] + ": " + res);
                                    }
                                } finally {
                                    slots.release();
                                }
                            });
                        }
                    }
                    double wall = (System.nanoTime() - t0) / 1e9;
                    double client = (os.getProcessCpuTime() - self0) / 1e6 / targets.size();
                    Map<String, Long> cpu1 = ExecBenchmark.cpuTicks();
                    double server = 0;
                    for (String k : ExecBenchmark.STACK) {
                        server += (cpu1.getOrDefault(k, 0L) - cpu0.getOrDefault(k, 0L)) * 10.0 / targets.size();
                    }
                    System.out.printf("round %d%s %-7s: %d/%d ok, wall %.2f s, CPU per exec: Noah's side %.2f ms, API servers+etcds+KWOKs %.2f ms%n",
                            r, r <= 0 ? " (warm-up)" : "", e, ok.get(), targets.size(), wall, client, server);
                    if (r > 0) {
                        walls.computeIfAbsent(e, k -> new ArrayList<>()).add(wall);
                        clientMs.computeIfAbsent(e, k -> new ArrayList<>()).add(client);
                        stackMs.computeIfAbsent(e, k -> new ArrayList<>()).add(server);
                    }
                }
            }
            System.out.println();
            for (TlsEngine e : walls.keySet()) {
                System.out.printf("%-7s: %d execs at %d at once: wall median %.2f s; CPU per exec median: client %.2f ms, stack %.2f ms%n", e,
                        targets.size(), fanOut, ExecBenchmark.median(walls.get(e)), ExecBenchmark.median(clientMs.get(e)),
                        ExecBenchmark.median(stackMs.get(e)));
            }
            if (engines.size() == 2) System.out.printf("OpenSSL / JDK: wall %.2f, client CPU %.2f, stack CPU %.2f%n",
                    ExecBenchmark.median(walls.get(TlsEngine.OPENSSL)) / ExecBenchmark.median(walls.get(TlsEngine.JDK)),
                    ExecBenchmark.median(clientMs.get(TlsEngine.OPENSSL)) / ExecBenchmark.median(clientMs.get(TlsEngine.JDK)),
                    ExecBenchmark.median(stackMs.get(TlsEngine.OPENSSL)) / ExecBenchmark.median(stackMs.get(TlsEngine.JDK)));
        } finally {
            ExecBenchmark.deleteAndWait(stack, ns);
            clients.values().forEach(m -> m.values().forEach(KubernetesClient::close));
        }
    }
}
