package io.noah.cluster.stack;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.LocalStack;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders for the workloads the stack tests create. */
final class TestWorkloads {

    private TestWorkloads() {
    }

    static String uniqueNamespace(KubernetesClient client, String prefix) {
        return LocalStack.createNamespace(client, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static Deployment deployment(String name, int replicas, Map<String, String> extraPodLabels) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).addToLabels("app", name).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).addToLabels(extraPodLabels).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("main").withImage("registry.local/" + name + ":1").endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    static boolean isReady(Pod p) {
        return "Running".equals(p.getStatus().getPhase())
                && p.getStatus().getPodIP() != null
                && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static List<Pod> readyPods(KubernetesClient client, String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(TestWorkloads::isReady)
                .toList();
    }
}
