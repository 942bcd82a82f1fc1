package io.noah.api;

import io.noah.cluster.testing.Workloads;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.noah.cluster.testing.LocalStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader-elected watch published to Kafka, end to end: two local clusters, the real Kafka broker,
 * Noah instances as separate JVMs (so they can be killed and paused for real), and a test consumer
 * reading the topics the way a CMDB would.
 */
class EventsE2ETest {

    private static final String LEASE = "4s";

    private final LocalStack stack = LocalStack.get();
    private final NoahServer noah = NoahServer.get(); // registers the two clusters in the shared database
    private final String a = stack.clusters().get(0);
    private final String b = stack.clusters().get(1);
    private final List<NoahProcess> processes = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    private String prefix;
    private String ns;
    private KafkaEventLog events;

    @BeforeEach
    void setUp() {
        String id = UUID.randomUUID().toString().substring(0, 6);
        prefix = "t" + id + ".";
        ns = "ev-" + id;
        for (String c : List.of(a, b)) {
            LocalStack.createNamespace(stack.client(c), ns);
        }
        events = new KafkaEventLog(stack.kafkaBootstrapServers(), prefix);
    }

    @AfterEach
    void tearDown() {
        watches.forEach(Watch::close);
        processes.forEach(NoahProcess::close);
        events.close();
        for (String c : List.of(a, b)) {
            stack.client(c).namespaces().withName(ns).delete();
        }
    }

    private NoahProcess start(String name, Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("noah.events.bootstrap-servers", stack.kafkaBootstrapServers());
        p.put("noah.events.topic-prefix", prefix);
        p.put("noah.events.lease", LEASE);
        p.put("noah.events.poll", "500ms");
        p.put("noah.events.partitions", "3");
        p.putAll(extra);
        NoahProcess np = NoahProcess.start(stack, name + "-" + prefix.substring(1, 7), "15s", p);
        processes.add(np);
        return np;
    }

    /** The units of work as an instance reports them (GET /api/v1/events/publishers). */
    private JsonNode publishers(NoahProcess p) {
        return noah.sendTo(p.port(), "GET", "/api/v1/events/publishers", NoahServer.ADMIN_TOKEN, null).body().get("items");
    }

    /** unit of work → holder, as an instance reports it (live leases only). */
    private Map<String, String> holders(NoahProcess p) {
        Map<String, String> m = new TreeMap<>();
        publishers(p).forEach(i -> {
            if (i.get("leaseLive").asBoolean()) {
                m.put(i.get("work").asString(), i.get("holder").asString());
            }
        });
        return m;
    }

    /** One unit of work as an instance reports it, or null. */
    private JsonNode publisher(NoahProcess p, String work) {
        for (JsonNode i : publishers(p)) {
            if (i.get("work").asString().equals(work)) {
                return i;
            }
        }
        return null;
    }

    private long epoch(NoahProcess p, String work) {
        JsonNode i = publisher(p, work);
        return i == null ? -1 : i.get("epoch").asLong();
    }

    private final Set<String> units = Set.of("cluster." + a, "cluster." + b, "alerts." + stack.idc(a));

    private void awaitLeadsAll(NoahProcess p) {
        await(p.instanceId() + " leads every unit").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Map<String, String> h = holders(p);
                    return h.keySet().containsAll(units) && units.stream().allMatch(u -> p.instanceId().equals(h.get(u)));
                });
    }

    /** Every pod uid of the namespace that Kubernetes reported added / deleted, seen by the test's own watch. */
    private record Truth(Set<String> added, Set<String> deleted) {
    }

    private Truth watchTruth(String cluster) {
        Truth t = new Truth(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        watches.add(stack.client(cluster).pods().inNamespace(ns).watch(new Watcher<>() {
            public void eventReceived(Action action, Pod pod) {
                if (action == Action.ADDED || action == Action.MODIFIED) {
                    t.added().add(pod.getMetadata().getUid());
                } else if (action == Action.DELETED) {
                    t.deleted().add(pod.getMetadata().getUid());
                }
            }

            public void onClose(WatcherException cause) {
            }
        }));
        return t;
    }

    private Map<String, String> livePods(String namespace) {
        Map<String, String> m = new TreeMap<>();
        for (String c : List.of(a, b)) {
            var ops = namespace == null ? stack.client(c).pods().inAnyNamespace() : stack.client(c).pods().inNamespace(namespace);
            for (Pod p : ops.list().getItems()) {
                m.put(c + "/" + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName(), p.getMetadata().getUid());
            }
        }
        return m;
    }

    private Map<String, String> publishedPods(String namespace) {
        Map<String, String> m = new TreeMap<>();
        events.poll().currentPods().forEach((k, v) -> {
            if (namespace == null || k.split("/")[1].equals(namespace)) {
                m.put(k, v);
            }
        });
        return m;
    }

    private Pod pod(String name, boolean overlap) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "churn").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("registry.local/churn:1").endContainer().endSpec();
        if (overlap) {
            b.editSpec().addToNodeSelector("noah.io/overlap-cidr", "true")
                    .addNewToleration().withKey("noah.io/overlap-cidr").withOperator("Exists").endToleration().endSpec();
        }
        return b.build();
    }

    private void deployment(String cluster, String name, int replicas) {
        stack.client(cluster).apps().deployments().inNamespace(ns).resource(Workloads.deployment(name, replicas)).create();
    }

    /** Scales, deletes and creates pods in both clusters every ~200 ms until stopped. */
    private final class Churn implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger actions = new AtomicInteger();
        private final Thread thread;

        Churn(List<String> clusters) {
            Random rnd = new Random(42);
            Map<String, List<String>> bare = new HashMap<>();
            thread = Thread.ofVirtual().start(() -> {
                int n = 0;
                while (!stop.get()) {
                    String c = clusters.get(n % clusters.size());
                    KubernetesClient k = stack.client(c);
                    List<String> mine = bare.computeIfAbsent(c, x -> new ArrayList<>());
                    try {
                        switch (rnd.nextInt(4)) {
                            case 0 -> k.apps().deployments().inNamespace(ns).withName("churn").scale(1 + rnd.nextInt(6));
                            case 1 -> {
                                String name = "bare-" + n;
                                k.pods().inNamespace(ns).resource(pod(name, false)).create();
                                mine.add(name);
                            }
                            case 2 -> {
                                if (!mine.isEmpty()) {
                                    k.pods().inNamespace(ns).withName(mine.remove(rnd.nextInt(mine.size()))).delete();
                                }
                            }
                            default -> {
                                var pods = k.pods().inNamespace(ns).withLabel("app", "churn-d").list().getItems();
                                if (!pods.isEmpty()) {
                                    k.pods().inNamespace(ns).withName(pods.get(rnd.nextInt(pods.size())).getMetadata().getName()).delete();
                                }
                            }
                        }
                        actions.incrementAndGet();
                    } catch (RuntimeException e) {
                        // a churn step that fails (e.g. a pod already gone) is just skipped
                    }
                    n++;
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        /** Until this many more churn actions have been taken (each phase of the test runs under churn). */
        void awaitActions(int more) {
            int target = actions.get() + more;
            await("churn: " + more + " actions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> actions.get() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    @Test
    void podChurnThroughALeaderCrashAndAKafkaOutageLosesNothing() throws Exception {
        for (String c : List.of(a, b)) {
            stack.client(c).apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("churn").endMetadata()
                    .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "churn-d").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "churn-d").endMetadata()
                    .withNewSpec().addNewContainer().withName("main").withImage("registry.local/churn:1").endContainer()
                    .endSpec().endTemplate().endSpec().build()).create();
        }
        Truth truthA = watchTruth(a);
        Truth truthB = watchTruth(b);
        NoahProcess first = start("ev-churn-1", Map.of());
        awaitLeadsAll(first);
        NoahProcess second = start("ev-churn-2", Map.of());
        await("the units spread over both instances").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> holders(second).containsValue(second.instanceId()) && holders(second).size() == 3);

        try (Churn churn = new Churn(List.of(a, b))) {
            churn.awaitActions(25); // churn before the crash
            NoahProcess victim = holders(second).get("cluster." + a).equals(first.instanceId()) ? first : second;
            NoahProcess survivor = victim == first ? second : first;
            victim.kill9();
            long killedAt = System.nanoTime();
            awaitLeadsAll(survivor);
            System.out.printf("[events] leader %s killed; %s led every unit after %d ms%n", victim.instanceId(),
                    survivor.instanceId(), (System.nanoTime() - killedAt) / 1_000_000);
            churn.awaitActions(15); // churn under the new leader before the outage

            stack.stopKafka();
            long stoppedAt = System.nanoTime();
            await("health DEGRADED while Kafka is down").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> noah.sendTo(survivor.port(), "GET", "/actuator/health", null, null).body()
                            .get("status").asString().equals("DEGRADED"));
            Thread.sleep(Math.max(0, 60_000 - (System.nanoTime() - stoppedAt) / 1_000_000));
            stack.startKafka();
            System.out.printf("[events] Kafka was down %d s; %d churn actions so far%n",
                    (System.nanoTime() - stoppedAt) / 1_000_000_000, churn.actions.get());
            churn.awaitActions(15); // churn after the broker is back
        }

        await("Kafka's current pods equal Kubernetes' pods").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(publishedPods(ns)).isEqualTo(livePods(ns)));
        // the transaction markers reach the state and change partitions one after another: the state topic can be
        // complete while the change topic's last transaction is not yet readable, so the change events are read again
        await("every pod's added and deleted events readable").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    events.poll();
                    for (var e : Map.of(a, truthA, b, truthB).entrySet()) {
                        assertThat(events.podUids("io.noah.pod.added", e.getKey(), ns)).containsAll(e.getValue().added());
                        assertThat(events.podUids("io.noah.pod.deleted", e.getKey(), ns)).containsAll(e.getValue().deleted());
                    }
                });
        for (var e : Map.of(a, truthA, b, truthB).entrySet()) {
            Set<String> added = events.podUids("io.noah.pod.added", e.getKey(), ns);
            Set<String> deleted = events.podUids("io.noah.pod.deleted", e.getKey(), ns);
            Set<String> missingAdds = new TreeSet<>(e.getValue().added());
            missingAdds.removeAll(added);
            Set<String> missingDeletes = new TreeSet<>(e.getValue().deleted());
            missingDeletes.removeAll(deleted);
            System.out.printf("[events] %s: %d pods lived, %d died; Kafka: %d added, %d deleted; missing adds %d, deletes %d%n",
                    e.getKey(), e.getValue().added().size(), e.getValue().deleted().size(), added.size(), deleted.size(),
                    missingAdds.size(), missingDeletes.size());
            assertThat(missingAdds).as("pods added in " + e.getKey() + " without an added event").isEmpty();
            assertThat(missingDeletes).as("pods deleted in " + e.getKey() + " without a deleted event").isEmpty();
            assertThat(e.getValue().deleted()).as("the churn deleted pods").isNotEmpty();
        }
        // a consumer that starts from the beginning of the compacted topic rebuilds every current pod, all namespaces
        try (KafkaEventLog fresh = new KafkaEventLog(stack.kafkaBootstrapServers(), prefix)) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(fresh.poll().currentPods()).isEqualTo(livePods(null)));
        }
        System.out.printf("[events] %d change records, %d distinct ids%n", events.records().size(), events.events().size());
    }

    @Test
    void aPausedLeaderCannotPublishAfterItsLeaseIsTaken() throws Exception {
        // the local lease check on sends is off: only the broker's fence stands between the resumed instance's sends and
        // Kafka (re-creating its producer, which would fence the new leader in turn, needs a valid lease always)
        NoahProcess first = start("ev-pause-1", Map.of("noah.events.local-lease-check", "false"));
        awaitLeadsAll(first);
        NoahProcess second = start("ev-pause-2", Map.of());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> holders(second).size() == 3 && holders(second).containsValue(second.instanceId()));
        String work = first.instanceId().equals(holders(second).get("cluster." + a)) ? "cluster." + a : "cluster." + b;
        String cluster = work.substring("cluster.".length());
        long oldEpoch = epoch(second, work);
        KubernetesClient k = stack.client(cluster);

        // the leader is paused holding a batch it could not commit yet (Kafka was down): resumed, it will send it
        double attemptsBefore;
        stack.stopKafka();
        try {
            double failedBefore = refusedAttempts(first, work);
            k.pods().inNamespace(ns).resource(pod("held-by-the-old-leader", false)).create();
            // paused inside the call that sends it, or in the pause before it tries that batch again (when the broker's
            // absence failed the call at once): resumed, it sends the batch — an attempt for sure
            await(first.instanceId() + " waits on Kafka with a batch").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        JsonNode u = publisher(first, work);
                        return "DEGRADED".equals(u.get("localState").asString()) && !u.get("lastError").isNull()
                                && (u.get("lastError").asString().contains("has waited on Kafka") || refusedAttempts(first, work) > failedBefore);
                    });
            attemptsBefore = refusedAttempts(first, work);
            first.pause();
        } finally {
            stack.startKafka();
        }
        long pausedAt = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            k.pods().inNamespace(ns).resource(pod("during-pause-" + i, false)).create();
        }
        await(second.instanceId() + " takes " + work + " over").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> second.instanceId().equals(holders(second).get(work)));
        System.out.printf("[events] %s paused; %s took %s over after %d ms%n", first.instanceId(), second.instanceId(), work,
                (System.nanoTime() - pausedAt) / 1_000_000);
        Thread.sleep(2_000);
        for (int i = 0; i < 3; i++) {
            k.pods().inNamespace(ns).resource(pod("before-resume-" + i, false)).create();
        }
        first.resume();
        for (int i = 0; i < 3; i++) {
            k.pods().inNamespace(ns).resource(pod("after-resume-" + i, false)).create();
            k.pods().inNamespace(ns).withName("during-pause-" + i).delete();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(publishedPods(ns)).isEqualTo(livePods(ns)));
        // the resumed instance did try to publish the batch it held (its local lease check is off); Kafka took none of it
        // (the ordering below): the attempt ended refused by the broker (fenced) or timed out and was never retried
        final double before = attemptsBefore;
        await("the resumed instance's attempt refused").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> refusedAttempts(first, work) > before);
        events.poll();

        // per partition, every record of the deposed epoch comes before the first of the new leader
        Map<Integer, Long> lastOld = new HashMap<>();
        Map<Integer, Long> firstNew = new HashMap<>();
        for (KafkaEventLog.Event e : events.records()) {
            if (!cluster.equals(e.cluster()) && !e.id().startsWith(cluster + "/")) {
                continue;
            }
            if (e.leader().equals(first.instanceId()) && e.epoch() <= oldEpoch) {
                lastOld.merge(e.partition(), e.offset(), Math::max);
            } else if (e.epoch() > oldEpoch) {
                firstNew.merge(e.partition(), e.offset(), Math::min);
            }
        }
        assertThat(firstNew).as("the new leader published").isNotEmpty();
        lastOld.forEach((p, off) -> {
            if (firstNew.containsKey(p)) {
                assertThat(off).as("partition " + p + ": a record of the deposed leader after the new one's first").isLessThan(firstNew.get(p));
            }
        });
        assertThat(first.alive()).as("losing a lease never ends the process").isTrue();
        assertThat(holders(first).get(work)).isEqualTo(second.instanceId());
        System.out.printf("[events] resumed instance: %.0f refused attempts, %.0f of them fenced at the broker, %.0f for its lapsed lease%n",
                refusedAttempts(first, work), metric(first, "noah_events_fenced_total", work),
                metric(first, "noah_events_lease_lost_batches_total", work));
    }

    /** A counter of a unit on an instance. */
    private double metric(NoahProcess p, String name, String work) {
        return noah.sendTo(p.port(), "GET", "/actuator/prometheus", NoahServer.ADMIN_TOKEN, null).raw().lines()
                .filter(l -> l.startsWith(name + "{unit=\"" + work + "\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Transactions of a unit that were not taken: fenced, failed and retried, or refused for a lapsed lease. */
    private double refusedAttempts(NoahProcess p, String work) {
        return metric(p, "noah_events_fenced_total", work) + metric(p, "noah_events_failures_total", work)
                + metric(p, "noah_events_lease_lost_batches_total", work);
    }

    @Test
    void podsDeletedWhileTheWatchHistoryExpiredArePublishedAsDeleted() throws Exception {
        KubernetesClient k = stack.client(a);
        for (int i = 0; i < 5; i++) {
            k.pods().inNamespace(ns).resource(pod("p" + i, false)).create();
        }
        NoahProcess first = start("ev-gone-1", Map.of());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> events.poll().podUids("io.noah.pod.added", a, ns).size() == 5);
        Map<String, String> uids = livePods(ns);
        first.close(); // graceful: leases released, checkpoint committed

        for (int i = 0; i < 3; i++) {
            k.pods().inNamespace(ns).withName("p" + i).delete();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> k.pods().inNamespace(ns).list().getItems().size() == 2);
        // no watch can resume from before now: etcd compacted, the API server's watch cache restarted
        stack.compactEtcd(a);
        stack.stopApiServer(a);
        stack.startApiServer(a);

        start("ev-gone-2", Map.of());
        Set<String> gone = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            gone.add(uids.get(a + "/" + ns + "/p" + i));
        }
        await("deletes during the gap published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> events.poll().podUids("io.noah.pod.deleted", a, ns).containsAll(gone));
        List<KafkaEventLog.Event> deletes = events.events().stream()
                .filter(e -> e.type().equals("io.noah.pod.deleted") && gone.contains(e.uid())).toList();
        assertThat(deletes).hasSize(3).allSatisfy(e -> assertThat(e.raw().get("data").get("reason").asString()).contains("410"));
        assertThat(events.events()).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo("io.noah.cluster.resynced");
            assertThat(e.raw().get("data").get("kind").asString()).isEqualTo("pod");
        });
        assertThat(publishedPods(ns)).isEqualTo(livePods(ns));
    }

    @Test
    void anIpConflictWithinAnIdcRaisesAnAlertThatClearsWhenAPodGoes() {
        NoahProcess only = start("ev-alert-1", Map.of());
        // two pods on idc-a's overlap node, then pods on idc-b's one by one until one has an IP of idc-a's: KWOK hands
        // out a freed IP of the shared CIDR at random (a set), so how many that takes depends on what earlier pods freed
        Set<String> ipsOfA = new TreeSet<>();
        for (int i = 0; i < 2; i++) {
            String name = "clash-" + i;
            stack.client(a).pods().inNamespace(ns).resource(pod(name, true)).create();
            ipsOfA.add(podIp(a, name));
        }
        List<String> triedInB = new ArrayList<>();
        while (triedInB.isEmpty() || !ipsOfA.contains(triedInB.getLast())) {
            assertThat(triedInB).as("no IP of idc-a's overlap pods %s among idc-b's %s", ipsOfA, triedInB).hasSizeLessThan(60);
            String name = "clash-" + triedInB.size();
            stack.client(b).pods().inNamespace(ns).resource(pod(name, true)).create();
            triedInB.add(podIp(b, name));
        }
        System.out.printf("[events] idc-a's overlap pods have %s; idc-b's pod %d of %s shares one%n", ipsOfA, triedInB.size(), triedInB);
        String ip = triedInB.getLast();
        String clashInB = "clash-" + (triedInB.size() - 1);
        String key = stack.idc(a) + "/" + ip;

        await("alert in the API").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode items = noah.sendTo(only.port(), "GET", "/api/v1/alerts?idc=" + stack.idc(a), NoahServer.ADMIN_TOKEN, null)
                    .body().get("items");
            for (JsonNode i : items) {
                if (i.get("ip").asString().equals(ip) && i.get("pods").size() == 2) {
                    return true;
                }
            }
            return false;
        });
        await("alert in Kafka").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode e = events.poll().alertState().get(key);
            return e != null && e.get("type").asString().equals("io.noah.alert.ip-conflict.raised")
                    && e.get("data").get("pods").size() == 2;
        });

        stack.client(b).pods().inNamespace(ns).withName(clashInB).delete();
        await("alert cleared in Kafka").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode e = events.poll().alertState().get(key);
            return e != null && e.get("type").asString().equals("io.noah.alert.ip-conflict.cleared");
        });
        JsonNode items = noah.sendTo(only.port(), "GET", "/api/v1/alerts", NoahServer.ADMIN_TOKEN, null).body().get("items");
        for (JsonNode i : items) {
            assertThat(i.get("ip").asString() + "@" + i.get("idc").asString()).isNotEqualTo(ip + "@" + stack.idc(a));
        }
    }

    /** The IP KWOK gives a pod of the test's namespace, once it has one. */
    private String podIp(String cluster, String name) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Pod p = stack.client(cluster).pods().inNamespace(ns).withName(name).get();
            return p == null || p.getStatus() == null ? null : p.getStatus().getPodIP();
        }, java.util.Objects::nonNull);
    }

    /** Pods of the namespace as the compacted topic has them for one cluster: name → uid. */
    private Map<String, String> publishedPodsOf(String cluster) {
        return byName(cluster, publishedPods(ns));
    }

    private Map<String, String> livePodsOf(String cluster) {
        return byName(cluster, livePods(ns));
    }

    /** "cluster/namespace/name" → uid, narrowed to one cluster and keyed by name. */
    private static Map<String, String> byName(String cluster, Map<String, String> byKey) {
        Map<String, String> m = new TreeMap<>();
        byKey.forEach((k, uid) -> {
            if (k.startsWith(cluster + "/")) {
                m.put(k.substring(k.lastIndexOf('/') + 1), uid);
            }
        });
        return m;
    }

    @Test
    void clustersRegisteredAndRemovedAtRunTimeStartAndRetireTheirPublishers() throws Exception {
        NoahProcess only = start("ev-runtime-1", Map.of()); // probe interval 1 s: registry changes seen within ~2 s
        awaitLeadsAll(only);
        KubernetesClient k = stack.client(a);
        for (int i = 0; i < 3; i++) {
            k.pods().inNamespace(ns).resource(pod("early-" + i, false)).create();
        }
        // a second registration of cluster a's API server, under its own name and IDC: a cluster added at run time
        String late = "late-" + prefix.substring(1, 7);
        Map<String, Object> registration = Map.of("name", late, "idc", "dc-" + late, "kubeconfig", stack.kubeconfigText(a),
                "reason", "events: a cluster added at run time");
        try {
            assertThat(noah.post("/api/v1/clusters", NoahServer.ADMIN_TOKEN, registration).status()).isEqualTo(201);
            await(late + " published by the running instance").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        assertThat(holders(only)).containsEntry("cluster." + late, only.instanceId())
                                .containsEntry("alerts.dc-" + late, only.instanceId());
                        assertThat(publishedPodsOf(late)).isEqualTo(livePodsOf(a)).hasSize(3);
                    });
            k.pods().inNamespace(ns).withName("early-0").delete();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(publishedPodsOf(late)).isEqualTo(livePodsOf(a)).hasSize(2));

            // removed at run time: its publisher retires (a removal event, its state tombstoned), the others go on
            assertThat(noah.send("DELETE", "/api/v1/clusters/" + late, NoahServer.ADMIN_TOKEN, null).status()).isEqualTo(204);
            await(late + " retired").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(events.poll().events()).anySatisfy(e -> {
                    assertThat(e.type()).isEqualTo("io.noah.cluster.removed");
                    assertThat(e.raw().get("data").get("cluster").asString()).isEqualTo(late);
                });
                assertThat(publishedPodsOf(late)).isEmpty();
                assertThat(publishers(only).findValues("work").stream().map(JsonNode::asString)).doesNotContain("cluster." + late);
            });
            assertThat(noah.sendTo(only.port(), "GET", "/actuator/prometheus", NoahServer.ADMIN_TOKEN, null).raw())
                    .doesNotContain("work=\"cluster." + late + "\"");
            k.pods().inNamespace(ns).resource(pod("while-removed", false)).create();
            await("cluster " + a + " still published").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> publishedPodsOf(a).containsKey("while-removed"));
            assertThat(publishedPodsOf(late)).isEmpty();

            // registered again: a fresh start from a full list, the pod created meanwhile included
            assertThat(noah.post("/api/v1/clusters", NoahServer.ADMIN_TOKEN, registration).status()).isEqualTo(201);
            await(late + " published again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(publishedPodsOf(late)).isEqualTo(livePodsOf(a)).containsKey("while-removed"));
            assertThat(events.podUids("io.noah.pod.added", late, ns)).contains(livePodsOf(a).get("while-removed"));
            assertThat(publishedPodsOf(a)).isEqualTo(livePodsOf(a));

            // its credentials rotated (kubeconfig → token): the publisher moves to the new connection
            assertThat(noah.send("PATCH", "/api/v1/clusters/" + late, NoahServer.ADMIN_TOKEN, Map.of("server", stack.server(a),
                    "token", stack.token(a), "caCertificate", stack.caCertificate(a), "reason", "rotate")).status()).isEqualTo(200);
            long epochBefore = epoch(only, "cluster." + late);
            await(late + " publisher restarted on the new connection").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> epoch(only, "cluster." + late) > epochBefore);
            k.pods().inNamespace(ns).resource(pod("after-rotation", false)).create();
            await(late + " published through its new connection").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(publishedPodsOf(late)).isEqualTo(livePodsOf(a)).containsKey("after-rotation"));
        } finally {
            noah.send("DELETE", "/api/v1/clusters/" + late, NoahServer.ADMIN_TOKEN, null);
        }
    }

    @Test
    void aClusterRemovedWhileKafkaIsDownHasItsRemovalPublishedOnceKafkaIsBack() throws Exception {
        NoahProcess only = start("ev-leftover-1", Map.of());
        awaitLeadsAll(only);
        stack.client(a).pods().inNamespace(ns).resource(pod("left-0", false)).create();
        String gone = "gone-" + prefix.substring(1, 7);
        Map<String, Object> registration = Map.of("name", gone, "idc", "dc-" + gone, "kubeconfig", stack.kubeconfigText(a),
                "reason", "events: a cluster removed while Kafka is down");
        assertThat(noah.post("/api/v1/clusters", NoahServer.ADMIN_TOKEN, registration).status()).isEqualTo(201);
        try {
            await(gone + " published").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(publishedPodsOf(gone)).isEqualTo(livePodsOf(a)).containsKey("left-0"));
        } catch (Throwable t) {
            noah.send("DELETE", "/api/v1/clusters/" + gone, NoahServer.ADMIN_TOKEN, null);
            throw t;
        }
        stack.stopKafka();
        try {
            assertThat(noah.send("DELETE", "/api/v1/clusters/" + gone, NoahServer.ADMIN_TOKEN, null).status()).isEqualTo(204);
            // the holder's retirement cannot reach Kafka: the lease stays as the record of a removal still to publish,
            // and is taken again (a left-over removal) to publish it, retrying while Kafka is down
            await("the removal left over and taken up again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        JsonNode u = publisher(only, "cluster." + gone);
                        return u != null && u.get("localState").asString().equals("REMOVING") && u.get("leaseLive").asBoolean();
                    });
        } finally {
            stack.startKafka();
        }
        await(gone + " removal published after Kafka came back").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(events.poll().events()).anySatisfy(e -> {
                        assertThat(e.type()).isEqualTo("io.noah.cluster.removed");
                        assertThat(e.raw().get("data").get("cluster").asString()).isEqualTo(gone);
                    });
                    assertThat(publishedPodsOf(gone)).isEmpty();
                    assertThat(publishers(only).findValues("work").stream().map(JsonNode::asString))
                            .doesNotContain("cluster." + gone, "alerts.dc-" + gone);
                });
        assertThat(publishedPodsOf(a)).isEqualTo(livePodsOf(a)).containsKey("left-0");
    }

    @Test
    void aFullBufferSuspendsTheWatchWhichResumesWithoutLossOnceKafkaIsBack() throws Exception {
        NoahProcess only = start("ev-full-1", Map.of("noah.events.buffer-capacity", "8"));
        awaitLeadsAll(only);
        await("cluster " + a + " published (its watches running)").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode p = publisher(only, "cluster." + a);
                    return p != null && p.get("localState").asString().equals("PUBLISHING") && !p.get("lastPublishedAt").isNull();
                });
        Truth truth = watchTruth(a);
        KubernetesClient k = stack.client(a);
        stack.stopKafka();
        try {
            await("health DEGRADED").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> noah.sendTo(only.port(), "GET", "/actuator/health", null, null).body().get("status").asString()
                            .equals("DEGRADED"));
            // far more changes than the buffer holds: creates, scheduling, IPs, deletes
            for (int i = 0; i < 30; i++) {
                k.pods().inNamespace(ns).resource(pod("full-" + i, false)).create();
            }
            for (int i = 0; i < 10; i++) {
                k.pods().inNamespace(ns).withName("full-" + i).delete();
            }
            await("the watch suspended").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    noah.sendTo(only.port(), "GET", "/actuator/prometheus", NoahServer.ADMIN_TOKEN, null).raw().lines()
                            .anyMatch(l -> l.startsWith("noah_events_watch_suspensions_total{unit=\"cluster." + a + "\"}")
                                    && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0));
            JsonNode p = publisher(only, "cluster." + a);
            assertThat(p.get("buffered").asInt()).as("bounded buffer").isLessThanOrEqualTo(8);
            assertThat(p.get("localState").asString()).isEqualTo("DEGRADED");
            assertThat(p.get("lastError").isNull()).as("the reason shown").isFalse();
        } finally {
            stack.startKafka();
        }
        await("everything delivered after recovery").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(publishedPodsOf(a)).isEqualTo(livePodsOf(a)).hasSize(20));
        Set<String> added = events.podUids("io.noah.pod.added", a, ns);
        Set<String> deleted = events.podUids("io.noah.pod.deleted", a, ns);
        assertThat(added).containsAll(truth.added());
        assertThat(deleted).containsAll(truth.deleted()).hasSize(10);
        await("health UP again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> noah.sendTo(only.port(), "GET", "/actuator/health", null, null).body().get("status").asString().equals("UP"));
    }
}
