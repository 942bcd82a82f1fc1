package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Other autoscalers of a Deployment in a cluster: Kubernetes HorizontalPodAutoscalers and KEDA ScaledObjects whose
 * scale target is one of the given Deployments (two autoscalers on one Deployment undo each other's writes). Read live;
 * a cluster without KEDA (no ScaledObject resource) simply has none.
 */
public final class ScalerConflicts {

    private static final ResourceDefinitionContext SCALED_OBJECT = new ResourceDefinitionContext.Builder()
            .withGroup("keda.sh").withVersion("v1alpha1").withKind("ScaledObject").withPlural("scaledobjects").withNamespaced(true).build();

    private final ClusterRegistry registry;

    public ScalerConflicts(ClusterRegistry registry) {
        this.registry = registry;
    }

    /** "HorizontalPodAutoscaler web → Deployment web" for each other autoscaler of {@code deployments} in the namespace. */
    public List<String> of(String cluster, String namespace, Set<String> deployments) {
        var client = registry.require(cluster).clientForWrite();
        List<String> out = new ArrayList<>();
        try {
            for (HorizontalPodAutoscaler h : client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).list().getItems()) {
                var ref = h.getSpec() == null ? null : h.getSpec().getScaleTargetRef();
                if (ref != null && "Deployment".equals(ref.getKind()) && deployments.contains(ref.getName())) {
                    out.add("HorizontalPodAutoscaler " + h.getMetadata().getName() + " → Deployment " + ref.getName());
                }
            }
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
        try {
            for (GenericKubernetesResource so : client.genericKubernetesResources(SCALED_OBJECT).inNamespace(namespace).list().getItems()) {
                Object spec = so.getAdditionalProperties().get("spec");
                Object ref = spec instanceof Map<?, ?> m ? m.get("scaleTargetRef") : null;
                if (ref instanceof Map<?, ?> r) {
                    Object kind = r.get("kind") == null ? "Deployment" : r.get("kind");
                    if ("Deployment".equals(kind) && deployments.contains(String.valueOf(r.get("name")))) {
                        out.add("ScaledObject " + so.getMetadata().getName() + " → Deployment " + r.get("name"));
                    }
                }
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw Kubernetes.translate(cluster, e);
            }
            // no KEDA in this cluster
        }
        return out;
    }
}
