package io.noah.release;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a caller asked for, validated, as stored with the release. {@code newAppReplicas}: for an
 * app that has no Deployment yet in a pool, the replicas it is created with there (in batches).
 */
public record ReleaseSpec(String app, String namespace, String version, Map<String, String> images,
                          Map<String, Map<String, String>> env, Map<String, Map<String, Map<String, String>>> resources,
                          List<String> pools, List<Integer> batches,
                          boolean percent, boolean spanPools, Gate gate, Duration autoGateAfter, Duration batchDeadline,
                          OnDeadline onDeadline, Duration deleteOldAfter, Integer newAppReplicas) {

    public enum Gate { MANUAL, AUTO }

    public enum OnDeadline { PAUSE, ROLLBACK }
}
