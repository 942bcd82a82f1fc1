package io.noah.cluster.cache;

import java.util.Map;

/** What Noah serves about a node. {@code tainted}: it has a NoSchedule or NoExecute taint. */
public record NodeRecord(String cluster, String name, String resourceVersion, Map<String, String> labels,
                         boolean ready, boolean unschedulable, String internalIP, String podCIDR,
                         String cpu, String memory, String kubeletVersion, long createdEpochSecond, boolean tainted) {

    public String key() {
        return name;
    }
}
