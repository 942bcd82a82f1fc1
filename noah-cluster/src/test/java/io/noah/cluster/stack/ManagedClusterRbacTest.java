package io.noah.cluster.stack;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The identity deploy/kubernetes/managed-cluster.yaml gives Noah (the token the local stack registers idc-b with, so
 * the release, exec, lifecycle and node-operation e2e flows run under it) is not more than the manifest says: the
 * API server refuses what is outside its two ClusterRoles.
 */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class ManagedClusterRbacTest {

    private static KubernetesClient asNoah(LocalStack stack, String cluster) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(stack.server(cluster))
                .withOauthToken(stack.token(cluster)).withCaCertData(java.util.Base64.getEncoder().encodeToString(
                        stack.caCertificate(cluster).getBytes(java.nio.charset.StandardCharsets.UTF_8))).build()).build();
    }

    private static boolean allowed(KubernetesClient k, String group, String resource, String subresource, String verb) {
        SelfSubjectAccessReview r = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes().withGroup(group)
                .withResource(resource).withSubresource(subresource).withVerb(verb).withNamespace("default").endResourceAttributes()
                .endSpec().build();
        return k.authorization().v1().selfSubjectAccessReview().create(r).getStatus().getAllowed();
    }

    @Test
    void noahsTokenMayDoWhatItsRolesSayAndTheAPIServerRefusesTheRest(LocalStack stack) {
        try (KubernetesClient k = asNoah(stack, stack.clusters().getLast())) {
            // what Noah does
            assertThat(allowed(k, "", "pods", null, "watch")).isTrue();
            assertThat(allowed(k, "", "pods", "exec", "create")).isTrue();
            assertThat(allowed(k, "", "pods", "eviction", "create")).isTrue();
            assertThat(allowed(k, "", "pods", "status", "patch")).isTrue();
            assertThat(allowed(k, "apps", "deployments", "scale", "update")).isTrue();
            assertThat(allowed(k, "apps", "deployments", null, "create")).isTrue();
            assertThat(allowed(k, "policy", "poddisruptionbudgets", null, "create")).isTrue();
            assertThat(k.pods().inAnyNamespace().list().getItems()).isNotNull();
            // what it never needs
            assertThat(allowed(k, "", "secrets", null, "get")).isFalse();
            assertThat(allowed(k, "", "configmaps", null, "list")).isFalse();
            assertThat(allowed(k, "", "pods", null, "create")).isFalse();
            assertThat(allowed(k, "", "namespaces", null, "delete")).isFalse();
            assertThat(allowed(k, "", "nodes", null, "delete")).isFalse();
            assertThat(allowed(k, "rbac.authorization.k8s.io", "clusterrolebindings", null, "create")).isFalse();
            assertThat(allowed(k, "apps", "daemonsets", null, "create")).isFalse();
            // and the API server says so when asked for real
            assertThatThrownBy(() -> k.secrets().inNamespace("kube-system").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("not-by-noah").endMetadata()
                    .build()).create()).isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }
}
