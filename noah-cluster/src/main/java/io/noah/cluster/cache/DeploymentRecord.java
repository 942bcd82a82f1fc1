package io.noah.cluster.cache;

import java.util.List;
import java.util.Map;

/** What Noah serves about a Deployment. {@code templateHash}: {@link TemplatePrint#hash()} of its pod template. */
public record DeploymentRecord(String cluster, String namespace, String name, String uid, String resourceVersion,
                               Map<String, String> labels, String app, Map<String, String> selector,
                               int replicas, int readyReplicas, int updatedReplicas, int availableReplicas,
                               long generation, long observedGeneration, List<String> images,
                               long createdEpochSecond, String templateHash) {

    public String key() {
        return namespace + "/" + name;
    }
}
