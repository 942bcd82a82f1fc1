package io.noah.cluster.cache;

import java.util.Map;

/**
 * What Noah serves about a pod, and nothing more: a full fabric8 Pod costs ~25 KB of heap, this
 * record well under 1 KB. Strings that repeat across pods (namespaces, node names, phases, label
 * keys and values) are interned by {@link Strings}. Requests are the sums over the pod's containers (0: none),
 * what utilisation strategies divide by. {@code readySinceEpochSecond}: when the Ready condition last changed (0: unknown).
 * {@code trafficGate}: the status of the pod's {@code noah.io/in-traffic} readiness gate condition ({@code True},
 * {@code False}; {@code ""} when the pod has the gate and no condition yet; null when it has no such gate).
 * {@code trafficWeight}: the pod's {@code noah.io/traffic-weight} annotation, 0–100 (null: none, or not a weight).
 */
public record PodRecord(String cluster, String namespace, String name, String uid, String resourceVersion,
                        Map<String, String> labels, String app, String nodeName, String podIP, String hostIP,
                        String phase, boolean ready, int restarts, String ownerKind, String ownerName,
                        long createdEpochSecond, boolean terminating, long cpuRequestMilli, long memoryRequestBytes,
                        long readySinceEpochSecond, String trafficGate, Integer trafficWeight) {

    public String key() {
        return namespace + "/" + name;
    }
}
