package io.noah.hpa.advice;

import java.util.List;

/**
 * One app in one cluster as the advisor reads it: the Deployments whose pods (past and present) make its history —
 * canaries of active releases left out —, its pods younger than the minimum age (left out of the queries), its
 * running pod count ("containers") and per-pod requests, how it is scaled by agreement (vertical or horizontal) and
 * whether it is a core app (for the overcommit factor).
 */
public record AppTarget(String cluster, String idc, String namespace, String app, List<String> deployments, List<String> youngPods,
                        int containers, double cpuRequestCores, double memoryRequestBytes, boolean horizontal, boolean core) {

    public AppTarget {
        deployments = List.copyOf(deployments);
        youngPods = List.copyOf(youngPods);
    }

    public String key() {
        return cluster + "/" + namespace + "/" + app;
    }
}
