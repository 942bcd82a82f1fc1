package io.noah.cluster.cache;

import java.util.Map;

/**
 * What Noah serves about a pod, and nothing more: a full fabric8 Pod costs ~25 KB of heap, this
 * record well under 1 KB. Strings that repeat across pods (namespaces, node names, phases, label
 * keys and values) are interned by {@link Strings}.
 */
public record PodRecord(String cluster, String namespace, String name, String uid, String resourceVersion,
                        Map<String, String> labels, String app, String nodeName, String podIP, String hostIP,
                        String phase, boolean ready, int restarts, String ownerKind, String ownerName,
                        long createdEpochSecond, boolean terminating) {

    public String key() {
        return namespace + "/" + name;
    }
}
