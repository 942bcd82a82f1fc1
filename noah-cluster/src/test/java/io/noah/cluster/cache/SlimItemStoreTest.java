package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SlimItemStoreTest {

    private static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid(ns + name).withResourceVersion("1")
                .endMetadata().build();
    }

    @Test
    void aNamespaceScopedViewListsOnlyItsNamespaceButWritesToTheSharedStore() {
        List<String> removed = new ArrayList<>();
        ClusterCache cache = new ClusterCache("c", "app", Clock.systemUTC());
        cache.addPodListener((cluster, old, now) -> {
            if (now == null) {
                removed.add(old.key());
            }
        });
        SlimItemStore<Pod, PodRecord> store = cache.pods();
        var a = store.scoped("a");
        var b = store.scoped("b");
        a.put("a/p1", pod("a", "p1"));
        a.put("a/p2", pod("a", "p2"));
        b.put("b/p1", pod("b", "p1"));
        assertThat(store.records()).containsOnlyKeys("a/p1", "a/p2", "b/p1");
        assertThat(a.keySet()).containsExactly("a/p1", "a/p2");
        assertThat(b.keySet()).containsExactly("b/p1");
        assertThat(a.size()).isEqualTo(2);
        assertThat(b.values().map(p -> p.getMetadata().getName())).containsExactly("p1");
        // what an informer's relist does: remove every key of its store that the new list lacks
        List<String> relistOfB = List.of();
        b.keySet().filter(k -> !relistOfB.contains(k)).toList().forEach(b::remove);
        assertThat(store.records()).as("b's relist leaves a's pods alone").containsOnlyKeys("a/p1", "a/p2");
        assertThat(removed).containsExactly("b/p1");
    }
}
