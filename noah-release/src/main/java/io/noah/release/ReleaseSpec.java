package io.noah.release;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a caller asked for, validated, as stored with the release. */
public record ReleaseSpec(String app, String namespace, String version, Map<String, String> images,
                          Map<String, Map<String, String>> env, List<String> pools, List<Integer> batches,
                          boolean percent, boolean spanPools, Gate gate, Duration autoGateAfter, Duration batchDeadline,
                          OnDeadline onDeadline, Duration deleteOldAfter) {

    public enum Gate { MANUAL, AUTO }

    public enum OnDeadline { PAUSE, ROLLBACK }
}
