package io.noah.cluster.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The workloads tests create on the local stack, and how they tell they are up: one builder for every module's tests. */
public final class Workloads {

    private Workloads() {
    }

    public static String uniqueNamespace(KubernetesClient client, String prefix) {
        return LocalStack.createNamespace(client, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** {@code name} with {@code replicas} pods labelled {@code app=name} plus {@code extraPodLabels}, image {@code registry.local/name:1}. */
    public static Deployment deployment(String name, int replicas, Map<String, String> extraPodLabels) {
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

    public static boolean isReady(Pod p) {
        return "Running".equals(p.getStatus().getPhase())
                && p.getStatus().getPodIP() != null
                && p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static Deployment deployment(String name, int replicas) {
        return deployment(name, replicas, Map.of());
    }

    /** A Deployment's ready replicas as its status says (0 when it has none yet or is gone). */
    public static int readyReplicas(KubernetesClient client, String ns, String name) {
        Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
    }

    public static List<Pod> readyPods(KubernetesClient client, String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(Workloads::isReady)
                .toList();
    }
}
