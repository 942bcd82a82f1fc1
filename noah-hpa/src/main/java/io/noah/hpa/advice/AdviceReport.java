package io.noah.hpa.advice;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One advisor run: the window read, and per app its profile, the pairs, the overcommit factor per cluster and the advice. */
public record AdviceReport(Instant start, Instant end, long stepSeconds, List<Profile> profiles, List<Pair> similar,
                           List<Pair> complementary, Map<String, List<Map<String, Object>>> affinity, List<ClusterOvercommit> overcommit,
                           List<Advice> advice, int failedApps, @Nullable String firstError) {

    /** A dimension's statistics as fractions of its reference, with the fitted normal's mean, σ and 95th percentile. */
    public record Dimension(int points, @Nullable Double mean, @Nullable Double std, @Nullable Double fittedP95, @Nullable Double p95,
                            @Nullable Double p99, @Nullable Double max) {
        static Dimension of(Formulas.Stats s) {
            return new Dimension(s.n(), r(s.mean()), r(s.std()), r(s.fittedP95()), r(s.p95()), r(s.p99()), r(s.max()));
        }
    }

    public record Profile(String cluster, @Nullable String idc, String namespace, String app, String profileClass, double coverageHours,
                          int containers, double cpuRequestCores, double memoryRequestBytes, Dimension cpu, Dimension memory, Dimension io,
                          @Nullable String note, @Nullable String error) {
    }

    /** Two apps of a cluster and the distance of their z-normalised hourly CPU curves. */
    public record Pair(String cluster, String namespaceA, String appA, String namespaceB, String appB, double distance, String relation) {
    }

    public record ClusterOvercommit(String cluster, @Nullable String idc, int apps, int coreApps, Formulas.Overcommit inputs, @Nullable String note) {
    }

    /** What a person needs to check a number: the range query, its window and step, the statistic taken, and the values. */
    public record Evidence(String query, Instant start, Instant end, long stepSeconds, String statistic, @Nullable Double value, @Nullable Double p99,
                           double threshold, int points) {
    }

    /**
     * One piece of advice. {@code rank}: the seed's ranking value ({@code rankBy} says which); {@code current} and
     * {@code suggested}: per-container cores or bytes for a vertical kind, replicas for a horizontal one; saved: what the
     * suggestion frees over all containers (negative: what it needs).
     */
    public record Advice(String cluster, @Nullable String idc, String namespace, String app, String kind, double rank, String rankBy,
                         double current, double suggested, String unit, int containers, double savedCpuCores, double savedMemoryBytes,
                         double confidence, String confidenceLevel, double coverageHours, Evidence evidence, String summary) {
    }

    /** Six decimals; null for no value (JSON has no NaN). */
    static Double r(double d) {
        return Double.isFinite(d) ? Math.round(d * 1e6) / 1e6 : null;
    }
}
