package io.noah.hpa.advice;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * Every formula of profiling and advice, pure and small enough to check by hand (golden tests pin each one).
 * Utilisations are fractions of the pods' requests (0.7 = 70 %); "containers" is the app's running pod count, as in
 * the seed.
 */
public final class Formulas {

    private Formulas() {
    }

    /** The 95th percentile of a normal distribution is its mean plus 1.645 standard deviations. */
    public static final double Z95 = 1.6448536269514722;

    /** Statistics of the points present (NaN: no point); {@code n} 0: all NaN. Percentiles by nearest rank. */
    public record Stats(int n, double mean, double std, double p95, double p99, double max) {
        public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        /** The 95th percentile of the normal distribution fitted to the points (mean + 1.645 σ). */
        public double fittedP95() {
            return n == 0 ? Double.NaN : mean + Z95 * std;
        }
    }

    public static Stats stats(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return Stats.EMPTY;
        }
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new Stats(v.length, mean, Math.sqrt(sq / v.length), rank(v, 0.95), rank(v, 0.99), v[v.length - 1]);
    }

    /** Nearest-rank percentile of sorted values: the smallest value with at least {@code q} of the values at or below it. */
    static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** What an app is, for node selection. */
    public enum ProfileClass {
        COMPUTE_INTENSIVE("compute-intensive"), MEMORY_INTENSIVE("memory-intensive"), IO_INTENSIVE("io-intensive"),
        BALANCED("balanced"), INSUFFICIENT_DATA("insufficient-data");

        public final String wire;

        ProfileClass(String wire) {
            this.wire = wire;
        }
    }

    /**
     * The class from the fitted 95th percentiles of the three dimensions (each a fraction of its reference: the CPU and
     * memory requests, the IO reference throughput): intensive in the dimension whose level is at least
     * {@code intensiveLevel} and at least {@code dominance} times each other dimension's; otherwise balanced. A dimension
     * without data (NaN) counts as 0.
     */
    public static ProfileClass classify(double cpu, double memory, double io, double intensiveLevel, double dominance) {
        double[] d = {nz(cpu), nz(memory), nz(io)};
        ProfileClass[] cls = {ProfileClass.COMPUTE_INTENSIVE, ProfileClass.MEMORY_INTENSIVE, ProfileClass.IO_INTENSIVE};
        for (int i = 0; i < 3; i++) {
            boolean dominant = d[i] >= intensiveLevel;
            for (int j = 0; j < 3 && dominant; j++) {
                dominant = j == i || d[i] >= dominance * d[j];
            }
            if (dominant) {
                return cls[i];
            }
        }
        return ProfileClass.BALANCED;
    }

    private static double nz(double x) {
        return Double.isFinite(x) ? Math.max(0, x) : 0;
    }

    /** The seed's six kinds of advice; memory is only ever advised vertically, as in the seed. */
    public enum Kind {
        CPU_UP_VERTICAL("cpu-up-vertical"), CPU_UP_HORIZONTAL("cpu-up-horizontal"),
        CPU_DOWN_VERTICAL("cpu-down-vertical"), CPU_DOWN_HORIZONTAL("cpu-down-horizontal"),
        MEMORY_UP_VERTICAL("memory-up-vertical"), MEMORY_DOWN_VERTICAL("memory-down-vertical");

        public final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public boolean up() {
            return this.name().contains("_UP_");
        }

        public boolean horizontal() {
            return this.name().endsWith("HORIZONTAL");
        }
    }

    /** CPU up when the week's peak is above {@code up}, down when below {@code down}; null: neither. Strict comparisons. */
    public static Kind cpuKind(double peak, double up, double down, boolean horizontal) {
        if (!Double.isFinite(peak)) {
            return null;
        }
        if (peak > up) {
            return horizontal ? Kind.CPU_UP_HORIZONTAL : Kind.CPU_UP_VERTICAL;
        }
        if (peak < down) {
            return horizontal ? Kind.CPU_DOWN_HORIZONTAL : Kind.CPU_DOWN_VERTICAL;
        }
        return null;
    }

    public static Kind memoryKind(double peak, double up, double down) {
        if (!Double.isFinite(peak)) {
            return null;
        }
        return peak > up ? Kind.MEMORY_UP_VERTICAL : peak < down ? Kind.MEMORY_DOWN_VERTICAL : null;
    }

    /** The seed's ranking of CPU down: idle CPU = cores × (free − 70 %) × containers, free = 1 − peak. */
    public static double idleCpu(double coresPerContainer, double peak, int containers, double floor) {
        return coresPerContainer * ((1 - peak) - floor) * containers;
    }

    /** The seed's ranking of memory down: idle memory = memory × (free − 20 %) × containers. */
    public static double idleMemory(double bytesPerContainer, double peak, int containers, double floor) {
        return bytesPerContainer * ((1 - peak) - floor) * containers;
    }

    /** The ranking of an up kind (the seed gives none; the mirror of the down one): size × (peak − threshold) × containers. */
    public static double shortfall(double sizePerContainer, double peak, int containers, double threshold) {
        return sizePerContainer * (peak - threshold) * containers;
    }

    /** The peak a suggestion sizes for: the larger of the high percentile plus the margin and the peak itself. */
    public static double sizingPeak(double p99, double max, double margin) {
        return Math.max(p99 * (1 + margin), max);
    }

    /** A vertical suggestion: the per-container size at which the sizing peak lands on {@code ceiling}. */
    public static double suggestedSize(double current, double sizingPeak, double ceiling) {
        return current * sizingPeak / ceiling;
    }

    /** A horizontal suggestion: the replica count at which the sizing peak spread over more (or fewer) pods lands on {@code ceiling}. */
    public static int suggestedReplicas(int replicas, double sizingPeak, double ceiling) {
        return Math.max(1, (int) Math.ceil(replicas * sizingPeak / ceiling - 1e-9));
    }

    /** CPU rounded up to 10 millicores (at least 10m). */
    public static double roundCpu(double cores) {
        return Math.max(0.01, Math.ceil(cores * 100 - 1e-9) / 100);
    }

    /** Memory rounded up to a whole MiB (at least 1 MiB). */
    public static double roundMemory(double bytes) {
        double mib = 1024.0 * 1024;
        return Math.max(mib, Math.ceil(bytes / mib - 1e-9) * mib);
    }

    /** How far the history can be trusted: 1 at {@code full} or more, less in proportion; the label for people. */
    public record Confidence(double score, String level) {
    }

    public static Confidence confidence(double coveredSeconds, double fullSeconds) {
        double score = Math.min(1, Math.max(0, coveredSeconds / fullSeconds));
        double days = coveredSeconds / 86_400;
        return new Confidence(Math.round(score * 1000) / 1000.0, days >= 7 - 1e-9 ? "high" : days >= 3 ? "medium" : "low");
    }

    /**
     * The seed's overcommit factor. M non-core and N core CPUs, Tm and Tn their utilisations, target T′: today's
     * utilisation is T = (Tm·M + Tn·N)/(M + N); with k the CPUs promised become M + N = Q·k while the work stays
     * Tm·M + Tn·N = Q·T′, so k = T′·(M + N)/(Tm·M + Tn·N) = T′/T. Tm 0.1, Tn 0.7, M = 2N, T′ 0.9 give T 0.3 and k 3.
     */
    public record Overcommit(double nonCoreCpus, double coreCpus, @Nullable Double nonCoreUtilisation, @Nullable Double coreUtilisation,
                             @Nullable Double currentUtilisation, double targetUtilisation, @Nullable Double k) {
    }

    public static Overcommit overcommit(double m, double n, double tm, double tn, double target) {
        double q = m + n;
        double work = (m > 0 ? tm * m : 0) + (n > 0 ? tn * n : 0);
        Double t = q > 0 ? work / q : null;
        Double k = q > 0 && work > 0 ? target * q / work : null;
        return new Overcommit(m, n, m > 0 ? tm : null, n > 0 ? tn : null, t, target, k);
    }

    /** The mean of the points per hour of the day (UTC), 24 values; NaN for an hour without a point. */
    public static double[] hourly(double[] values, long startEpochSecond, long stepSeconds) {
        double[] sum = new double[24];
        int[] n = new int[24];
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                int h = (int) (Math.floorMod(startEpochSecond + i * stepSeconds, 86_400L) / 3600);
                sum[h] += values[i];
                n[h]++;
            }
        }
        double[] out = new double[24];
        for (int h = 0; h < 24; h++) {
            out[h] = n[h] == 0 ? Double.NaN : sum[h] / n[h];
        }
        return out;
    }

    /** z-normalised (mean 0, standard deviation 1); null when a value is missing or the curve is flat (no shape to compare). */
    public static double[] zNormalise(double[] v) {
        double mean = 0;
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return null;
            }
            mean += x;
        }
        mean /= v.length;
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        double std = Math.sqrt(sq / v.length);
        if (std < 1e-9 || std < 1e-3 * Math.abs(mean)) {
            return null;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (v[i] - mean) / std;
        }
        return out;
    }

    /** Euclidean distance; between z-normalised curves of 24 points it runs from 0 (same shape) to 2·√24 ≈ 9.80 (mirror images). */
    public static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }
}
