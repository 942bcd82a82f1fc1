package io.noah.api.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Noah's own overhead per release batch, on a real local cluster (not a test; prints figures).
 *
 * <p>Part 1: sequential releases of one app (4 replicas, batches 1,1,1,1, manual gate). For every
 * batch, from Deployment watch events (received in this JVM) and the batch-done time Noah stores:
 * gate → canary scale accepted; canary pods Ready → running scale accepted; running pods gone →
 * batch marked done. The rest of a batch is Kubernetes (scheduling, KWOK making pods Ready).
 * Part 2: 50 releases started at once on one instance (2 replicas each, batches 1,1, automatic gate).
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -DskipTests install && mvn -pl noah-api
 * test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.ReleaseBenchmark}
 */
public final class ReleaseBenchmark {

    record Seen(long nanos, int replicas, int ready, int statusReplicas, long generation, long observed) {
    }

    private static final Map<String, List<Seen>> EVENTS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        int releases = Integer.getInteger("releases", 30);
        int warmUp = Integer.getInteger("warmUp", 3);
        int concurrent = Integer.getInteger("concurrent", 50);
        LocalStack stack = LocalStack.get();
        String pool = stack.clusters().getFirst();
        KubernetesClient k = stack.client(pool);
        String ns = "bench-rel-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        while (k.serviceAccounts().inNamespace(ns).withName("default").get() == null) {
            Thread.sleep(50);
        }
        var watch = k.apps().deployments().inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                var s = d.getStatus();
                EVENTS.computeIfAbsent(d.getMetadata().getName(), x -> new CopyOnWriteArrayList<>()).add(new Seen(System.nanoTime(),
                        d.getSpec().getReplicas(), s == null || s.getReadyReplicas() == null ? 0 : s.getReadyReplicas(),
                        s == null || s.getReplicas() == null ? 0 : s.getReplicas(), d.getMetadata().getGeneration(),
                        s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration()));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        NoahServer noah = NoahServer.get();
        long nanoOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        deploy(k, ns, "solo", 4);

        List<Long> gateToCanary = new ArrayList<>();
        List<Long> readyToRunning = new ArrayList<>();
        List<Long> goneToDone = new ArrayList<>();
        String running = "solo";
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword())) {
            for (int i = 0; i < releases; i++) {
                String version = "v" + (i + 2);
                String canary = "solo-" + version;
                long gate = System.nanoTime();
                var created = noah.post("/api/v1/releases", NoahServer.ADMIN_TOKEN, Map.of("app", "solo", "namespace", ns,
                        "version", version, "images", Map.of("main", "registry.local/solo:" + version), "pools", List.of(pool),
                        "batches", List.of(1, 1, 1, 1)));
                if (created.status() != 201) {
                    throw new IllegalStateException(created.raw());
                }
                String id = created.body().get("id").asString();
                for (int batch = 1; batch <= 4; batch++) {
                    long done = awaitEvent(db, id, batch == 4 ? "succeeded" : "batch-done", batch) * 1_000L - nanoOffset;
                    int wantC = batch;
                    int wantR = 4 - batch;
                    long canaryScaled = first(canary, s -> s.replicas() == wantC, gate);
                    long canaryReady = first(canary, s -> s.replicas() == wantC && s.ready() >= wantC && s.observed() >= s.generation(), canaryScaled);
                    long runningScaled = first(running, s -> s.replicas() == wantR, canaryReady);
                    long runningGone = first(running, s -> s.replicas() == wantR && s.statusReplicas() <= wantR && s.observed() >= s.generation(), runningScaled);
                    if (i >= warmUp) {
                        gateToCanary.add(canaryScaled - gate);
                        readyToRunning.add(runningScaled - canaryReady);
                        goneToDone.add(Math.max(0, done - runningGone));
                    }
                    if (batch < 4) {
                        gate = System.nanoTime();
                        noah.post("/api/v1/releases/" + id + "/promote", NoahServer.ADMIN_TOKEN, Map.of());
                    }
                }
                running = canary;
            }
        }
        System.out.printf("%nNoah's overhead per batch, %d batches (%d sequential releases of 4 batches after %d warm-up releases):%n",
                gateToCanary.size(), releases - warmUp, warmUp);
        report("gate → canary scale accepted", gateToCanary);
        report("canary Ready → running scale accepted", readyToRunning);
        report("running scaled down → batch marked done", goneToDone);
        List<Long> sum = new ArrayList<>();
        for (int i = 0; i < gateToCanary.size(); i++) {
            sum.add(gateToCanary.get(i) + readyToRunning.get(i) + goneToDone.get(i));
        }
        report("sum (Noah's share of a batch)", sum);

        // part 2: many releases at once
        for (int i = 0; i < concurrent; i++) {
            deployNoWait(k, ns, "app-" + i, 2);
        }
        long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (readyDeployments(k, ns, "app-") < concurrent && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        long t0 = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < concurrent; i++) {
            var r = noah.post("/api/v1/releases", NoahServer.ADMIN_TOKEN, Map.of("app", "app-" + i, "namespace", ns, "version", "v2",
                    "images", Map.of("main", "registry.local/app:2"), "pools", List.of(pool), "batches", List.of(1, 1),
                    "gate", "auto", "autoGateAfterSeconds", 0));
            if (r.status() != 201) {
                throw new IllegalStateException(r.raw());
            }
            ids.add(r.body().get("id").asString());
        }
        long started = System.nanoTime() - t0;
        int succeeded = 0;
        while (System.nanoTime() < until) {
            succeeded = 0;
            for (String id : ids) {
                if (noah.get("/api/v1/releases/" + id, NoahServer.ADMIN_TOKEN).body().get("state").asString().equals("succeeded")) {
                    succeeded++;
                }
            }
            if (succeeded == concurrent) {
                break;
            }
            Thread.sleep(200);
        }
        System.out.printf("%n%d concurrent releases (2 batches each, automatic gate) on one instance: started in %d ms, "
                + "%d succeeded after %.1f s%n", concurrent, started / 1_000_000, succeeded, (System.nanoTime() - t0) / 1e9);
        watch.close();
        noah.stop();
        k.namespaces().withName(ns).delete();
        System.exit(0);
    }

    private static long awaitEvent(Connection db, String id, String type, int step) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (PreparedStatement ps = db.prepareStatement("select at from release_event where release_id = ? and type = ? and step = ?")) {
            ps.setString(1, id);
            ps.setString(2, type);
            ps.setInt(3, step);
            while (System.nanoTime() < until) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        var at = rs.getTimestamp(1).toInstant();
                        return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new IllegalStateException("release " + id + " did not reach " + type + " at step " + step);
    }

    private static long first(String deployment, java.util.function.Predicate<Seen> p, long after) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            for (Seen s : EVENTS.getOrDefault(deployment, List.of())) {
                if (s.nanos() >= after && p.test(s)) {
                    return s.nanos();
                }
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("no matching watch event for " + deployment);
    }

    private static void report(String what, List<Long> nanos) {
        long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("  %-42s n=%d  p50=%.1f ms  p90=%.1f ms  p99=%.1f ms  max=%.1f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6);
    }

    private static void deploy(KubernetesClient k, String ns, String app, int replicas) throws InterruptedException {
        deployNoWait(k, ns, app, replicas);
        while (true) {
            Deployment d = k.apps().deployments().inNamespace(ns).withName(app).get();
            if (d.getStatus() != null && Integer.valueOf(replicas).equals(d.getStatus().getReadyReplicas())) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static void deployNoWait(KubernetesClient k, String ns, String app, int replicas) {
        k.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                .withNewMetadata().withName(app).addToLabels("app", app).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", app).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.local/" + app + ":1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private static long readyDeployments(KubernetesClient k, String ns, String prefix) {
        return k.apps().deployments().inNamespace(ns).list().getItems().stream()
                .filter(d -> d.getMetadata().getName().startsWith(prefix))
                .filter(d -> d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                        && d.getStatus().getReadyReplicas().equals(d.getSpec().getReplicas())).count();
    }
}
