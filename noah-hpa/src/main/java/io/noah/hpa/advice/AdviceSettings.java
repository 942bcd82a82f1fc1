package io.noah.hpa.advice;

import java.time.Duration;

/**
 * What the profiler and the advisor use, with the seed's numbers as defaults. {@code window}/{@code step}: the history
 * read per app (7 days of 5-minute points); {@code minHistory}: less coverage than this is "insufficient data";
 * {@code minPodAge}: pods younger than this (at the end of the window) are left out, their warm-up is not the app's
 * load. Thresholds are fractions of the pods' requests: {@code cpuUp} 0.70, {@code cpuDown} 0.10, {@code memoryUp}
 * 0.70, {@code memoryDown} 0.60 (strict comparisons); {@code cpuIdleFloor} 0.70 and {@code memoryIdleFloor} 0.20 are
 * the seed's "free % − 70 %" and "free % − 20 %" of its rankings. {@code margin}: the safety margin on a suggested value
 * (the VPA recommender's 15 %); {@code ceiling}: the utilisation a suggested size aims the peak at (the up threshold).
 * {@code intensiveLevel}/{@code dominance}: a dimension whose fitted 95th percentile is at least this level and this
 * many times every other dimension's makes the app intensive in it. {@code ioReferenceBytesPerSecond}: the per-pod
 * disk+network throughput counted as 100 % (IO has no request). {@code topPairs}: N of the seed's "top N".
 * {@code targetUtilisation}: the cluster CPU utilisation the overcommit factor aims at (0.9).
 */
public record AdviceSettings(Duration window, Duration step, Duration minHistory, Duration minPodAge,
                             double cpuUp, double cpuDown, double memoryUp, double memoryDown,
                             double cpuIdleFloor, double memoryIdleFloor, double margin, double ceiling,
                             double intensiveLevel, double dominance, double ioReferenceBytesPerSecond,
                             int topPairs, double targetUtilisation, int parallelism) {

    public static AdviceSettings defaults() {
        return new AdviceSettings(Duration.ofDays(7), Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(1),
                0.70, 0.10, 0.70, 0.60, 0.70, 0.20, 0.15, 0.70, 0.5, 1.5, 50.0 * 1024 * 1024, 10, 0.9, 4);
    }

    public AdviceSettings {
        if (window.compareTo(step) <= 0 || step.toSeconds() < 60 || step.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the advice window must be longer than its step, and the step whole seconds of at least 1m");
        }
        if (window.toSeconds() / step.toSeconds() > 20_000) {
            throw new IllegalArgumentException("the advice window holds more than 20,000 steps; take a longer step");
        }
        if (topPairs < 1 || parallelism < 1 || targetUtilisation <= 0 || targetUtilisation > 1 || ceiling <= 0 || ceiling > 1) {
            throw new IllegalArgumentException("top pairs and parallelism must be positive, target utilisation and ceiling in (0, 1]");
        }
    }

    public AdviceSettings withParallelism(int n) {
        return new AdviceSettings(window, step, minHistory, minPodAge, cpuUp, cpuDown, memoryUp, memoryDown, cpuIdleFloor, memoryIdleFloor,
                margin, ceiling, intensiveLevel, dominance, ioReferenceBytesPerSecond, topPairs, targetUtilisation, n);
    }

    public AdviceSettings withWindow(Duration w) {
        return new AdviceSettings(w, step, minHistory, minPodAge, cpuUp, cpuDown, memoryUp, memoryDown, cpuIdleFloor, memoryIdleFloor,
                margin, ceiling, intensiveLevel, dominance, ioReferenceBytesPerSecond, topPairs, targetUtilisation, parallelism);
    }
}
