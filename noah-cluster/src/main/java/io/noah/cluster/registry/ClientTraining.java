package io.noah.cluster.registry;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentList;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * For the build's AOT training run only (noah-api, {@code noah.aot-training}): what a cluster connection loads
 * after the application context is refreshed (the HTTP client, TLS, the model's (de)serializers), exercised
 * without any cluster: a client for a port nothing listens on, one failing request, lists serialized and read back.
 */
public final class ClientTraining {

    private ClientTraining() {
    }

    public static void exercise() {
        // a client as KubeClientFactory builds one, for a port nothing listens on (port 9, discard)
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").withOauthToken("aot-training")
                .withTrustCerts(true).withConnectionTimeout(300).withRequestTimeout(500).withRequestRetryBackoffLimit(0).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            KubernetesSerialization json = client.getKubernetesSerialization();
            PodList pods = new PodList();
            pods.getItems().add(new PodBuilder().withNewMetadata().withName("p").withNamespace("n").addToLabels("app", "a").endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("i").withNewResources().endResources().endContainer().endSpec()
                    .withNewStatus().withPhase("Running").withPodIP("10.0.0.1").addNewCondition().withType("Ready").withStatus("True")
                    .endCondition().endStatus().build());
            json.unmarshal(json.asJson(pods), PodList.class);
            DeploymentList deployments = new DeploymentList();
            deployments.getItems().add(new DeploymentBuilder().withNewMetadata().withName("d").endMetadata().withNewSpec().withReplicas(1)
                    .withNewSelector().addToMatchLabels("app", "a").endSelector().withNewTemplate().endTemplate().endSpec().build());
            json.unmarshal(json.asJson(deployments), DeploymentList.class);
            NodeList nodes = new NodeList();
            nodes.getItems().add(new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewStatus().endStatus().build());
            json.unmarshal(json.asJson(nodes), NodeList.class);
            json.unmarshal(json.asJson(new ReplicaSetList()), ReplicaSetList.class);
            try {
                client.pods().inAnyNamespace().list();
            } catch (KubernetesClientException expected) {
                // nothing listens there
            }
        }
    }
}
