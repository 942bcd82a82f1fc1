package io.noah.cluster.ops;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Scales a Deployment through its scale subresource (the one write of the foundation). */
public final class DeploymentScaler {

    private static final Logger log = LoggerFactory.getLogger(DeploymentScaler.class);

    private final ClusterRegistry registry;

    public DeploymentScaler(ClusterRegistry registry) {
        this.registry = registry;
    }

    /** Sets the desired replicas; returns the previous value. */
    public int scale(String cluster, String namespace, String name, int replicas) {
        ClusterHandle h = registry.require(cluster);
        try (var c = MDC.putCloseable("cluster", cluster); var n = MDC.putCloseable("namespace", namespace);
             var o = MDC.putCloseable("name", name)) {
            var resource = h.clientForWrite().apps().deployments().inNamespace(namespace).withName(name);
            try {
                var current = resource.get();
                if (current == null) {
                    throw new NoahException(NoahException.Reason.NOT_FOUND,
                            "Deployment " + namespace + "/" + name + " does not exist in cluster " + cluster);
                }
                int before = current.getSpec().getReplicas() == null ? 1 : current.getSpec().getReplicas();
                resource.scale(replicas);
                log.info("scaled Deployment {}/{} in {} from {} to {}", namespace, name, cluster, before, replicas);
                return before;
            } catch (KubernetesClientException e) {
                throw Kubernetes.translate(cluster, e);
            }
        }
    }
}
