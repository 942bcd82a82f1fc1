package io.noah.events;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.watch.ChangeFeed;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One batch → one transaction's records, without Kafka. */
class BatchPlannerTest {

    private static final EventsSettings.Topics TOPICS = new EventsSettings.Topics("t.changes", "t.pods", "t.deployments", "t.nodes",
            "t.alerts", "t.checkpoints");
    private static final EventsSettings SETTINGS = new EventsSettings("127.0.0.1:1", TOPICS, "i1", Duration.ofSeconds(15),
            Duration.ofSeconds(1), 100, 1, (short) 0, Map.of(), true);

    private final BatchPlanner planner = new BatchPlanner("c1", "dc1", SETTINGS, 7);
    private final Map<EventKind<?>, Map<String, Object>> published = new HashMap<>();

    {
        EventKind.ALL.forEach(k -> published.put(k, new HashMap<>()));
    }

    private static PodRecord pod(String ns, String name, String uid, String rv) {
        return new PodRecord("c1", ns, name, uid, rv, Map.of("app", name), name, "n1", "10.0.0.1", "192.0.2.1", "Running", true, 0,
                "ReplicaSet", name + "-x", 1, false);
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
}
