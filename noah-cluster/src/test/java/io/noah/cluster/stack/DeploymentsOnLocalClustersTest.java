package io.noah.cluster.stack;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.noah.cluster.testing.Workloads.deployment;
import static io.noah.cluster.testing.Workloads.readyPods;
import static io.noah.cluster.testing.Workloads.uniqueNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real controllers, scheduler and KWOK kubelets: Deployments become ready pods with IPs in every cluster. */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class DeploymentsOnLocalClustersTest {

    @Test
    void deploymentGetsReadyPodsAndScalesThroughTheScaleSubresource(LocalStack stack) {
        assertThat(stack.clusters()).hasSizeGreaterThanOrEqualTo(2);
        for (String cluster : stack.clusters()) {
            KubernetesClient client = stack.client(cluster);
            String ns = uniqueNamespace(client, "deploy");
            client.apps().deployments().inNamespace(ns).resource(deployment("web", 3, Map.of())).create();

            await(cluster + ": 3 ready pods").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> readyPods(client, ns, "web").size() == 3);
            List<Pod> pods = readyPods(client, ns, "web");
            assertThat(pods).allSatisfy(p -> {
                assertThat(p.getStatus().getPodIP()).as("pod IP").isNotBlank();
                assertThat(p.getSpec().getNodeName()).as("scheduled").startsWith(cluster + "-node-");
            });
            assertThat(pods.stream().map(p -> p.getStatus().getPodIP()).distinct()).hasSize(3);

            client.apps().deployments().inNamespace(ns).withName("web").scale(5);
            await(cluster + ": scaled to 5").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Deployment d = client.apps().deployments().inNamespace(ns).withName("web").get();
                        return d.getStatus() != null
                                && Integer.valueOf(5).equals(d.getStatus().getReadyReplicas())
                                && readyPods(client, ns, "web").size() == 5;
                    });
            assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
                    .isEqualTo(5);
            client.namespaces().withName(ns).delete();
        }
    }

    @Test
    void nodesCarryRackAndMachineTypeLabels(LocalStack stack) {
        for (String cluster : stack.clusters()) {
            var nodes = stack.client(cluster).nodes().withLabel("type", "kwok").list().getItems();
            assertThat(nodes).hasSizeGreaterThanOrEqualTo(4);
            assertThat(nodes.stream().map(n -> n.getMetadata().getLabels().get("rack")).distinct().count())
                    .isGreaterThanOrEqualTo(2);
            assertThat(nodes).allSatisfy(n -> assertThat(n.getMetadata().getLabels()).containsKey("machine-type"));
        }
    }

    @Test
    void podsLabelledNeverReadyRunWithAnIpButNeverBecomeReady(LocalStack stack) {
        KubernetesClient client = stack.client(stack.clusters().getFirst());
        String ns = uniqueNamespace(client, "never-ready");
        client.apps().deployments().inNamespace(ns)
                .resource(deployment("stuck", 2, Map.of("noah.io/never-ready", "true"))).create();
        await("2 running pods").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.pods().inNamespace(ns).withLabel("app", "stuck").list().getItems().stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null)
                        .count() == 2);
        // give KWOK every chance to (wrongly) mark them Ready: it plays stages within milliseconds
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
        assertThat(readyPods(client, ns, "stuck")).isEmpty();
        Deployment d = client.apps().deployments().inNamespace(ns).withName("stuck").get();
        assertThat(d.getStatus().getReadyReplicas()).isNull();
        client.namespaces().withName(ns).delete();
    }

    @Test
    void podsOnTheOverlapNodesOfTwoClustersGetTheSameIp(LocalStack stack) {
        // three pods per cluster: KWOK hands out the overlap CIDR's addresses from the bottom, so the
        // clusters share IPs even when a pod of an earlier run still holds one of them
        List<String> clusters = stack.clusters().subList(0, 2);
        List<java.util.Set<String>> ips = clusters.stream().map(cluster -> {
            KubernetesClient client = stack.client(cluster);
            String ns = uniqueNamespace(client, "overlap");
            for (int i = 0; i < 3; i++) {
                Pod pod = new io.fabric8.kubernetes.api.model.PodBuilder()
                        .withNewMetadata().withName("clash-" + i).addToLabels("app", "clash").endMetadata()
                        .withNewSpec()
                        .addToNodeSelector("noah.io/overlap-cidr", "true")
                        .addNewToleration().withKey("noah.io/overlap-cidr").withOperator("Exists").endToleration()
                        .addNewContainer().withName("main").withImage("registry.local/clash:1").endContainer()
                        .endSpec().build();
                client.pods().inNamespace(ns).resource(pod).create();
            }
            await(cluster + ": overlap pods ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> readyPods(client, ns, "clash").size() == 3);
            java.util.Set<String> set = new java.util.TreeSet<>();
            readyPods(client, ns, "clash").forEach(p -> set.add(p.getStatus().getPodIP()));
            client.namespaces().withName(ns).delete();
            return set;
        }).toList();
        assertThat(ips.get(0)).allMatch(ip -> ip.startsWith("10.99.0."));
        assertThat(ips.get(0)).containsAnyElementsOf(ips.get(1));
    }
}
