package io.noah.cluster.stack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.cache.ClusterCache;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.cluster.registry.KubeClientFactory;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import io.noah.cluster.watch.ChangeFeed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.noah.cluster.testing.Workloads.deployment;
import static io.noah.cluster.testing.Workloads.readyPods;
import static io.noah.cluster.testing.Workloads.uniqueNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Noah's read caches and change feeds against a real API server. */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class CachesAndFeedsOnLocalClustersTest {

    @Test
    void cachesOfSeveralNamespacesKeepEveryNamespacesObjects(LocalStack stack) {
        String cluster = stack.clusters().getFirst();
        KubernetesClient client = stack.client(cluster);
        String ns1 = uniqueNamespace(client, "cache1");
        String ns2 = uniqueNamespace(client, "cache2");
        for (String ns : List.of(ns1, ns2)) {
            client.apps().deployments().inNamespace(ns).resource(deployment("web", 2, Map.of())).create();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> readyPods(client, ns1, "web").size() == 2 && readyPods(client, ns2, "web").size() == 2);
        ClusterCache cache = new ClusterCache(cluster, "app", Clock.systemUTC());
        try {
            cache.start(client, List.of(ns1, ns2));
            await().atMost(Duration.ofSeconds(30)).until(cache::synced);
            // each namespace's informer lists on its own: neither list may drop the other namespace's objects
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(namespaces(cache.pods().records().values())).containsEntry(ns1, 2L).containsEntry(ns2, 2L);
                assertThat(cache.deployments().records().keySet()).contains(ns1 + "/web", ns2 + "/web");
            });
            assertThat(cache.podKeysWithIp(readyPods(client, ns1, "web").getFirst().getStatus().getPodIP())).isNotEmpty();
            // a new pod in one namespace, a deleted one in the other: both seen, nothing else lost
            client.apps().deployments().inNamespace(ns1).withName("web").scale(3);
            client.pods().inNamespace(ns2).withName(readyPods(client, ns2, "web").getFirst().getMetadata().getName()).delete();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(namespaces(cache.pods().records().values().stream().filter(p -> !p.terminating()).toList()))
                            .containsEntry(ns1, 3L).containsEntry(ns2, 2L));
        } finally {
            cache.close();
            client.namespaces().withName(ns1).delete();
            client.namespaces().withName(ns2).delete();
        }
    }

    private static Map<String, Long> namespaces(java.util.Collection<PodRecord> pods) {
        return pods.stream().collect(Collectors.groupingBy(PodRecord::namespace, Collectors.counting()));
    }

    @Test
    void aFeedListsInPagesAndHandsOverOneCompleteSnapshot(LocalStack stack) throws Exception {
        String cluster = stack.clusters().getFirst();
        KubernetesClient client = stack.client(cluster);
        String ns = uniqueNamespace(client, "feed");
        client.apps().deployments().inNamespace(ns).resource(deployment("many", 10, Map.of())).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> readyPods(client, ns, "many").size() == 10);
        try (ClusterRegistry registry = new ClusterRegistry(new KubeClientFactory(Duration.ofSeconds(3), Duration.ofSeconds(10)),
                new ClusterRegistry.Settings("app", List.of("no-such-namespace"), Duration.ofSeconds(5)), Clock.systemUTC(), null,
                Loops.standalone())) {
            ClusterHandle h = registry.register(new ClusterSpec("feed-test", "dc", null, Map.of(), false,
                    new ClusterConnection.Kubeconfig(stack.kubeconfigText(cluster), null), ClusterSpec.Source.API));
            CompletableFuture<List<PodRecord>> snapshot = new CompletableFuture<>();
            Set<String> before = client.pods().inAnyNamespace().list().getItems().stream()
                    .map(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()).collect(Collectors.toSet());
            try (ChangeFeed<?, PodRecord> feed = ChangeFeed.pods(h, "app", new ChangeFeed.Sink<>() {
                public void snapshot(List<PodRecord> items, String listRv, String reason) {
                    snapshot.complete(items);
                }

                public boolean event(ChangeFeed.Type type, PodRecord item, String rv, long receivedNanos) {
                    return true;
                }

                public boolean bookmark(String rv) {
                    return true;
                }
            }, 3)) {
                feed.start(null);
                List<PodRecord> items = snapshot.get(30, TimeUnit.SECONDS);
                Set<String> listed = items.stream().map(PodRecord::key).collect(Collectors.toSet());
                assertThat(listed).as("one snapshot of every pod, across pages").containsAll(before);
                assertThat(items).hasSameSizeAs(listed);
                assertThat(feed.lastListPages()).as("pages of at most 3 pods").isGreaterThanOrEqualTo((before.size() + 2) / 3);
            }
        } finally {
            client.namespaces().withName(ns).delete();
        }
    }
}
