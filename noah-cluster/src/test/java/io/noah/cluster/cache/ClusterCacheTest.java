package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read cache as its informers fill it, without a cluster: slim records, the IP index through IP changes and
 * deletes, listeners (a failing one does not stop the others), the change counter.
 */
class ClusterCacheTest {

    private final ClusterCache cache = new ClusterCache("idc-a", "app", Clock.systemUTC());

    private static Pod pod(String name, String ip, String rv) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid("uid-" + name).withResourceVersion(rv)
                .addToLabels("app", "web").addToAnnotations("big", "x".repeat(10_000)).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("main").withImage("web:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }

    @Test
    void podsAreKeptSlimAndServedWithTheirAppAndReadiness() {
        cache.pods().put("shop/web-1", pod("web-1", "10.0.0.1", "5"));
        PodRecord r = cache.pods().record("shop/web-1");
        assertThat(r.cluster()).isEqualTo("idc-a");
        assertThat(r.app()).isEqualTo("web");
        assertThat(r.ready()).isTrue();
        assertThat(r.nodeName()).isEqualTo("node-1");
        assertThat(r.resourceVersion()).isEqualTo("5");
        // the informer's store answers with a stub carrying what it needs (key and resourceVersion), not the full pod
        Pod stub = cache.pods().get("shop/web-1");
        assertThat(stub.getMetadata().getResourceVersion()).isEqualTo("5");
        assertThat(stub.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    @Test
    void theIpIndexFollowsIpChangesAndDeletes() {
        cache.pods().put("shop/web-1", pod("web-1", "10.0.0.1", "1"));
        cache.pods().put("shop/web-2", pod("web-2", "10.0.0.1", "1"));
        assertThat(cache.podKeysWithIp("10.0.0.1")).containsExactlyInAnyOrder("shop/web-1", "shop/web-2");
        cache.pods().put("shop/web-1", pod("web-1", "10.0.0.9", "2"));
        assertThat(cache.podKeysWithIp("10.0.0.1")).containsExactly("shop/web-2");
        assertThat(cache.podKeysWithIp("10.0.0.9")).containsExactly("shop/web-1");
        cache.pods().remove("shop/web-2");
        assertThat(cache.podKeysWithIp("10.0.0.1")).isEmpty();
        cache.pods().put("shop/web-1", pod("web-1", null, "3"));
        assertThat(cache.podKeysWithIp("10.0.0.9")).isEmpty();
    }

    @Test
    void aFailingListenerDoesNotStopTheOthersAndEveryChangeCounts() {
        List<String> seen = new ArrayList<>();
        cache.addPodListener((cluster, old, now) -> {
            throw new IllegalStateException("a broken listener");
        });
        cache.addPodListener((cluster, old, now) -> seen.add(cluster + ":" + (old == null ? "-" : old.resourceVersion()) + "→"
                + (now == null ? "-" : now.resourceVersion())));
        int[] deployments = new int[1];
        cache.addDeploymentListener(() -> deployments[0]++);
        long before = cache.changes();
        cache.pods().put("shop/web-1", pod("web-1", "10.0.0.1", "1"));
        cache.pods().put("shop/web-1", pod("web-1", "10.0.0.1", "2"));
        cache.pods().remove("shop/web-1");
        cache.deployments().put("shop/web", new DeploymentBuilder().withNewMetadata().withNamespace("shop").withName("web")
                .withResourceVersion("7").endMetadata().withNewSpec().withReplicas(2).withNewTemplate().endTemplate().endSpec().build());
        assertThat(seen).containsExactly("idc-a:-→1", "idc-a:1→2", "idc-a:2→-");
        assertThat(deployments[0]).isEqualTo(1);
        assertThat(cache.changes() - before).isEqualTo(4);
        assertThat(cache.lastEventAt()).isNotNull();
        assertThat(cache.deployments().record("shop/web").replicas()).isEqualTo(2);
    }
}
