package io.noah.events;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.watch.ChangeFeed;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One batch → one transaction's records, without Kafka. */
class BatchPlannerTest {

    private static final EventsSettings.Topics TOPICS = TestSettings.TOPICS;
    private static final EventsSettings SETTINGS = TestSettings.SETTINGS;

    private final BatchPlanner planner = new BatchPlanner("c1", "dc1", SETTINGS, 7);
    private final Map<EventKind<?>, Map<String, Object>> published = new HashMap<>();

    {
        EventKind.ALL.forEach(k -> published.put(k, new HashMap<>()));
    }

    private static PodRecord pod(String ns, String name, String uid, String rv) {
        return new PodRecord("c1", ns, name, uid, rv, Map.of("app", name), name, "n1", "10.0.0.1", "192.0.2.1", "Running", true, 0,
                "ReplicaSet", name + "-x", 1, false, 0, 0, 0, null, null);
    }

    private static DeploymentRecord deployment(String ns, String name, String uid, String rv) {
        return deployment(ns, name, uid, rv, 1);
    }

    private static DeploymentRecord deployment(String ns, String name, String uid, String rv, int replicas) {
        return new DeploymentRecord("c1", ns, name, uid, rv, Map.of("app", name), name, Map.of("app", name), replicas, 1, 1, 1, 1, 1,
                List.of("web:1"), 1, "h1");
    }

    private static List<String> keys(BatchPlanner.Plan plan, String topic) {
        return plan.records().stream().filter(r -> r.topic().equals(topic)).map(ProducerRecord::key).toList();
    }

    @Test
    void aPodAndADeploymentOfTheSameNameInOneBatchBothGetTheirStateRecord() {
        BatchPlanner.Plan plan = planner.plan(List.of(
                new BatchPlanner.Snapshot(EventKind.PODS, List.of(pod("shop", "web", "p-uid", "10")), "10", "initial list"),
                new BatchPlanner.Snapshot(EventKind.DEPLOYMENTS, List.of(deployment("shop", "web", "d-uid", "10")), "10", "initial list")),
                published, Map.of());
        assertThat(keys(plan, "t.pods")).containsExactly("c1/shop/web");
        assertThat(keys(plan, "t.deployments")).containsExactly("c1/shop/web");
        assertThat(plan.events()).isEqualTo(4); // two added, two resynced markers
        assertThat(keys(plan, "t.checkpoints")).containsExactlyInAnyOrder("c1/pod", "c1/deployment");
        plan.applyTo(published);
        assertThat(published.get(EventKind.PODS)).containsOnlyKeys("c1/shop/web");
        assertThat(published.get(EventKind.DEPLOYMENTS)).containsOnlyKeys("c1/shop/web");
    }

    @Test
    void aDeleteOfOneKindLeavesTheOtherKindsStateAlone() {
        published.get(EventKind.PODS).put("c1/shop/web", pod("shop", "web", "p-uid", "10"));
        published.get(EventKind.DEPLOYMENTS).put("c1/shop/web", deployment("shop", "web", "d-uid", "10"));
        BatchPlanner.Plan plan = planner.plan(List.of(
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.DELETED, pod("shop", "web", "p-uid", "11"), "11", 0),
                new BatchPlanner.Change(EventKind.DEPLOYMENTS, ChangeFeed.Type.MODIFIED, deployment("shop", "web", "d-uid", "12", 3), "12", 0)), published, Map.of());
        var podState = plan.records().stream().filter(r -> r.topic().equals("t.pods")).toList();
        var deploymentState = plan.records().stream().filter(r -> r.topic().equals("t.deployments")).toList();
        assertThat(podState).singleElement().satisfies(r -> assertThat(r.value()).as("tombstone").isNull());
        assertThat(deploymentState).singleElement().satisfies(r -> assertThat(r.value()).isNotNull());
        plan.applyTo(published);
        assertThat(published.get(EventKind.PODS)).isEmpty();
        assertThat(published.get(EventKind.DEPLOYMENTS)).containsOnlyKeys("c1/shop/web");
    }

    @Test
    void nothingNewPlansNothing() {
        Map<EventKind<?>, String> checkpoints = Map.of(EventKind.PODS, "5");
        assertThat(planner.plan(List.of(new BatchPlanner.Bookmark(EventKind.PODS, "5")), published, checkpoints).isEmpty()).isTrue();
        assertThat(keys(planner.plan(List.of(new BatchPlanner.Bookmark(EventKind.PODS, "6")), published, checkpoints), "t.checkpoints"))
                .containsExactly("c1/pod");
    }

    private static PodRecord pod(String name, String uid, String rv, String ip, boolean ready) {
        return new PodRecord("c1", "shop", name, uid, rv, Map.of("app", "web"), "web", "n1", ip, "192.0.2.1", "Running", ready, 0,
                "ReplicaSet", "web-x", 1, false, 0, 0, 0, null, null);
    }

    private static List<String> types(BatchPlanner.Plan plan) {
        return plan.records().stream().filter(r -> r.topic().equals("t.changes"))
                .map(r -> Envelopes.read(r.value()).get("type").asString()).toList();
    }

    @Test
    void aResyncPublishesWhatChangedDuringTheGapAndNothingElse() {
        Map<String, Object> pods = published.get(EventKind.PODS);
        pods.put("c1/shop/same", pod("same", "u1", "5", "10.0.0.1", true));
        pods.put("c1/shop/changed", pod("changed", "u2", "5", "10.0.0.2", true));
        pods.put("c1/shop/gone", pod("gone", "u3", "5", "10.0.0.3", true));
        BatchPlanner.Plan plan = planner.plan(List.of(new BatchPlanner.Snapshot(EventKind.PODS, List.of(
                pod("same", "u1", "5", "10.0.0.1", true), pod("changed", "u2", "9", "10.0.0.2", false),
                pod("new", "u4", "9", "10.0.0.4", true)), "9", "watch history expired (410)")), published, Map.of());
        assertThat(types(plan)).containsExactlyInAnyOrder("io.noah.pod.deleted", "io.noah.pod.added", types(plan).stream()
                .filter(t -> !t.equals("io.noah.pod.deleted") && !t.equals("io.noah.pod.added") && !t.equals("io.noah.cluster.resynced"))
                .findFirst().orElseThrow(), "io.noah.cluster.resynced");
        var marker = plan.records().stream().map(r -> Envelopes.read(r.value()))
                .filter(e -> e != null && e.get("type").asString().equals("io.noah.cluster.resynced")).findFirst().orElseThrow();
        assertThat(marker.get("data").get("added").asInt()).isEqualTo(1);
        assertThat(marker.get("data").get("updated").asInt()).isEqualTo(1);
        assertThat(marker.get("data").get("deleted").asInt()).isEqualTo(1);
        assertThat(marker.get("data").get("reason").asString()).isEqualTo("watch history expired (410)");
        assertThat(plan.resyncs()).isEqualTo(1);
        assertThat(keys(plan, "t.pods")).containsExactlyInAnyOrder("c1/shop/changed", "c1/shop/gone", "c1/shop/new");
        plan.applyTo(published);
        assertThat(published.get(EventKind.PODS)).containsOnlyKeys("c1/shop/same", "c1/shop/changed", "c1/shop/new");
    }

    @Test
    void aNameTakenByANewObjectIsADeleteOfTheOldOneAndAnAdd() {
        published.get(EventKind.PODS).put("c1/shop/db-0", pod("db-0", "old-uid", "5", "10.0.0.1", true));
        BatchPlanner.Plan plan = planner.plan(List.of(new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.ADDED,
                pod("db-0", "new-uid", "8", "10.0.0.9", true), "8", 42)), published, Map.of());
        assertThat(types(plan)).containsExactly("io.noah.pod.deleted", "io.noah.pod.added");
        assertThat(plan.received()).containsExactly(42L);
        assertThat(keys(plan, "t.pods")).containsExactly("c1/shop/db-0");
    }

    @Test
    void changesInOneBatchBuildOnEachOtherAndTheLastStateWins() {
        BatchPlanner.Plan plan = planner.plan(List.of(
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.ADDED, pod("w", "u1", "1", null, false), "1", 1),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.MODIFIED, pod("w", "u1", "2", "10.0.0.5", true), "2", 2),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.MODIFIED, pod("w", "u1", "3", "10.0.0.5", true), null, 3),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.DELETED, pod("w", "u1", "4", "10.0.0.5", true), "4", 4),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.DELETED, pod("never", "u9", "5", null, false), "5", 5),
                new BatchPlanner.Snapshot(EventKind.NODES, List.of(), "6", "initial list")), published, Map.of());
        List<String> types = types(plan);
        assertThat(types.getFirst()).isEqualTo("io.noah.pod.added");
        assertThat(types).contains("io.noah.pod.deleted").hasSize(4); // added, one update (rv 3 changes nothing), deleted, resynced
        assertThat(plan.received()).as("only changes that were published").containsExactly(1L, 2L, 4L);
        var state = plan.records().stream().filter(r -> r.topic().equals("t.pods")).toList();
        assertThat(state).singleElement().satisfies(r -> assertThat(r.value()).as("the tombstone: the last state").isNull());
        assertThat(plan.checkpoints()).containsEntry(EventKind.PODS, "5").containsEntry(EventKind.NODES, "6");
        plan.applyTo(published);
        assertThat(published.get(EventKind.PODS)).isEmpty();
    }

    @Test
    void aSnapshotAfterChangesOfTheSameBatchDiffsAgainstThem() {
        BatchPlanner.Plan plan = planner.plan(List.of(
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.ADDED, pod("a", "u1", "1", "10.0.0.1", true), "1", 1),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.ADDED, pod("b", "u2", "2", "10.0.0.2", true), "2", 2),
                new BatchPlanner.Change(EventKind.PODS, ChangeFeed.Type.DELETED, pod("b", "u2", "3", "10.0.0.2", true), "3", 3),
                new BatchPlanner.Snapshot(EventKind.PODS, List.of(pod("a", "u1", "1", "10.0.0.1", true)), "4", "relist")),
                published, Map.of());
        assertThat(types(plan)).containsExactly("io.noah.pod.added", "io.noah.pod.added", "io.noah.pod.deleted", "io.noah.cluster.resynced");
    }
}
