package io.noah.cluster.ops;

import io.noah.cluster.model.NoahException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Scales a Deployment through its scale subresource on behalf of a caller (the API's scale endpoint). */
public final class DeploymentScaler {

    private static final Logger log = LoggerFactory.getLogger(DeploymentScaler.class);

    private final DeploymentOps ops;

    public DeploymentScaler(DeploymentOps ops) {
        this.ops = ops;
    }

    /** Sets the desired replicas; returns the previous value. */
    public int scale(String cluster, String namespace, String name, int replicas) {
        try (var c = MDC.putCloseable("cluster", cluster); var n = MDC.putCloseable("namespace", namespace);
             var o = MDC.putCloseable("name", name)) {
            int before = ops.state(cluster, namespace, name).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND,
                    "Deployment " + namespace + "/" + name + " does not exist in cluster " + cluster)).replicas();
            ops.scale(cluster, namespace, name, replicas);
            log.info("scaled Deployment {}/{} in {} from {} to {}", namespace, name, cluster, before, replicas);
            return before;
        }
    }
}
