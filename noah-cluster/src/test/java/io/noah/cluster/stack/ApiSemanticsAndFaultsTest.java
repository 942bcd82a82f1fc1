package io.noah.cluster.stack;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static io.noah.cluster.testing.Workloads.uniqueNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class ApiSemanticsAndFaultsTest {

    @Test
    void updateWithStaleResourceVersionGetsConflict(LocalStack stack) {
        KubernetesClient client = stack.client(stack.clusters().getFirst());
        String ns = uniqueNamespace(client, "conflict");
        ConfigMap created = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("cm").endMetadata().addToData("k", "1").build()).create();

        ConfigMap fresh = new ConfigMapBuilder(created).addToData("k", "2").build();
        client.configMaps().inNamespace(ns).resource(fresh).update();

        ConfigMap stale = new ConfigMapBuilder(created).addToData("k", "3").build();
        assertThatThrownBy(() -> client.configMaps().inNamespace(ns).resource(stale).update())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
        assertThat(client.configMaps().inNamespace(ns).withName("cm").get().getData()).containsEntry("k", "2");
        client.namespaces().withName(ns).delete();
    }

    @Test
    void stoppedApiServerFailsFastWhileTheOtherClusterKeepsWorkingAndRecovers(LocalStack stack) {
        String down = stack.clusters().get(1);
        String up = stack.clusters().get(0);
        KubernetesClient downClient = stack.client(down);
        KubernetesClient upClient = stack.client(up);
        assertThat(downClient.nodes().list().getItems()).isNotEmpty();

        stack.stopApiServer(down);
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> downClient.nodes().list()).isInstanceOf(KubernetesClientException.class);
            Duration failedAfter = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(failedAfter).as("a stopped apiserver refuses connections: no timeout wait")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(upClient.nodes().list().getItems()).as("the other cluster keeps working").isNotEmpty();
        } finally {
            stack.startApiServer(down);
        }
        await("recovered").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> !downClient.nodes().list().getItems().isEmpty());
    }
}
