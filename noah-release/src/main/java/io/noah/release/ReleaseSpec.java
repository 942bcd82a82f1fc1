package io.noah.release;

import io.noah.cluster.ops.PodChange;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a caller asked for, validated, as stored with the release. {@code newAppReplicas}: for an
 * app that has no Deployment yet in a pool, the replicas it is created with there (in batches). {@code pod}: what
 * the canary's pod template changes beyond its containers (rack spread, traffic gate, an app type's health checks), or null.
 */
public record ReleaseSpec(String app, String namespace, String version, Map<String, String> images,
                          Map<String, Map<String, String>> env, Map<String, Map<String, Map<String, String>>> resources,
                          List<String> pools, List<Integer> batches,
                          boolean percent, boolean spanPools, Gate gate, Duration autoGateAfter, Duration batchDeadline,
                          OnDeadline onDeadline, Duration deleteOldAfter, Integer newAppReplicas, PodChange pod) {

    /** Without a pod-level change. */
    public ReleaseSpec(String app, String namespace, String version, Map<String, String> images,
                       Map<String, Map<String, String>> env, Map<String, Map<String, Map<String, String>>> resources,
                       List<String> pools, List<Integer> batches, boolean percent, boolean spanPools, Gate gate, Duration autoGateAfter,
                       Duration batchDeadline, OnDeadline onDeadline, Duration deleteOldAfter, Integer newAppReplicas) {
        this(app, namespace, version, images, env, resources, pools, batches, percent, spanPools, gate, autoGateAfter, batchDeadline,
                onDeadline, deleteOldAfter, newAppReplicas, null);
    }

    public enum Gate { MANUAL, AUTO }

    public enum OnDeadline { PAUSE, ROLLBACK }
}
