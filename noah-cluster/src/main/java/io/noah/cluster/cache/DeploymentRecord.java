package io.noah.cluster.cache;

import java.util.List;
import java.util.Map;

/** What Noah serves about a Deployment. */
public record DeploymentRecord(String cluster, String namespace, String name, String uid, String resourceVersion,
                               Map<String, String> labels, String app, Map<String, String> selector,
                               int replicas, int readyReplicas, int updatedReplicas, int availableReplicas,
                               long generation, long observedGeneration, List<String> images,
                               long createdEpochSecond) {

    public String key() {
        return namespace + "/" + name;
    }
}
