package io.noah.hpa.advice;

import io.noah.hpa.advice.Formulas.Kind;
import io.noah.hpa.advice.Formulas.ProfileClass;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Golden values of every formula: the seed's thresholds at their boundaries, both rankings, k = 3. */
class FormulasTest {

    private static final AdviceSettings S = AdviceSettings.defaults();

    @Test
    void cpuThresholdsAreStrictAtSeventyAndTenPercent() {
        assertThat(Formulas.cpuKind(0.70, S.cpuUp(), S.cpuDown(), false)).isNull();
        assertThat(Formulas.cpuKind(0.7001, S.cpuUp(), S.cpuDown(), false)).isEqualTo(Kind.CPU_UP_VERTICAL);
        assertThat(Formulas.cpuKind(0.7001, S.cpuUp(), S.cpuDown(), true)).isEqualTo(Kind.CPU_UP_HORIZONTAL);
        assertThat(Formulas.cpuKind(0.10, S.cpuUp(), S.cpuDown(), false)).isNull();
        assertThat(Formulas.cpuKind(0.0999, S.cpuUp(), S.cpuDown(), false)).isEqualTo(Kind.CPU_DOWN_VERTICAL);
        assertThat(Formulas.cpuKind(0.0999, S.cpuUp(), S.cpuDown(), true)).isEqualTo(Kind.CPU_DOWN_HORIZONTAL);
        assertThat(Formulas.cpuKind(Double.NaN, S.cpuUp(), S.cpuDown(), false)).isNull();
    }

    @Test
    void memoryThresholdsAreStrictAtSeventyAndSixtyPercent() {
        assertThat(Formulas.memoryKind(0.70, S.memoryUp(), S.memoryDown())).isNull();
        assertThat(Formulas.memoryKind(0.7001, S.memoryUp(), S.memoryDown())).isEqualTo(Kind.MEMORY_UP_VERTICAL);
        assertThat(Formulas.memoryKind(0.60, S.memoryUp(), S.memoryDown())).isNull();
        assertThat(Formulas.memoryKind(0.5999, S.memoryUp(), S.memoryDown())).isEqualTo(Kind.MEMORY_DOWN_VERTICAL);
        assertThat(Kind.values()).hasSize(6);
    }

    @Test
    void idleCpuRanksBySeedFormula() {
        // 2 cores per container, peak 5 % (free 95 %), 10 containers: 2 × (0.95 − 0.70) × 10 = 5 cores idle
        assertThat(Formulas.idleCpu(2, 0.05, 10, S.cpuIdleFloor())).isCloseTo(5.0, within(1e-9));
        // a bigger app idles more though its peak is higher: 4 cores × (0.92 − 0.7) × 10 = 8.8 > 5
        assertThat(Formulas.idleCpu(4, 0.08, 10, S.cpuIdleFloor())).isCloseTo(8.8, within(1e-9));
    }

    @Test
    void idleMemoryRanksBySeedFormula() {
        double gib = 1024.0 * 1024 * 1024;
        // 4 GiB per container, peak 30 % (free 70 %), 5 containers: 4 × (0.7 − 0.2) × 5 = 10 GiB idle
        assertThat(Formulas.idleMemory(4 * gib, 0.30, 5, S.memoryIdleFloor()) / gib).isCloseTo(10.0, within(1e-9));
        assertThat(Formulas.idleMemory(4 * gib, 0.55, 5, S.memoryIdleFloor()) / gib).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void overcommitOfTheSeedIsThree() {
        double n = 100;
        Formulas.Overcommit o = Formulas.overcommit(2 * n, n, 0.1, 0.7, 0.9);
        assertThat(o.currentUtilisation()).isCloseTo(0.3, within(1e-12));
        assertThat(o.k()).isCloseTo(3.0, within(1e-12));
        // without core apps k is the target over today's utilisation
        assertThat(Formulas.overcommit(10, 0, 0.45, 0, 0.9).k()).isCloseTo(2.0, within(1e-12));
        // idle cluster: no factor
        assertThat(Formulas.overcommit(10, 5, 0, 0, 0.9).k()).isNull();
    }

    @Test
    void suggestionsAimThePeakAtTheCeiling() {
        // vertical: peak 84 %, p99 80 % → max(0.8 × 1.15, 0.84) = 0.92 → 1 core × 0.92 / 0.7 = 1.3143 → 1.32 cores
        double peak = Formulas.sizingPeak(0.80, 0.84, S.margin());
        assertThat(peak).isCloseTo(0.92, within(1e-12));
        assertThat(Formulas.roundCpu(Formulas.suggestedSize(1, peak, S.ceiling()))).isEqualTo(1.32);
        // horizontal: 4 replicas at that peak → ceil(4 × 0.92 / 0.7) = ceil(5.257) = 6
        assertThat(Formulas.suggestedReplicas(4, peak, S.ceiling())).isEqualTo(6);
        // down: 10 replicas, peak 5 % → ceil(10 × 0.0575 / 0.7) = 1; never 0
        assertThat(Formulas.suggestedReplicas(10, Formulas.sizingPeak(0.05, 0.05, S.margin()), S.ceiling())).isEqualTo(1);
        assertThat(Formulas.roundMemory(1.5 * 1024 * 1024 + 1)).isEqualTo(2.0 * 1024 * 1024);
    }

    @Test
    void confidenceFollowsHistoryLength() {
        assertThat(Formulas.confidence(7 * 86_400, 7 * 86_400)).isEqualTo(new Formulas.Confidence(1.0, "high"));
        assertThat(Formulas.confidence(3.5 * 86_400, 7 * 86_400)).isEqualTo(new Formulas.Confidence(0.5, "medium"));
        assertThat(Formulas.confidence(86_400, 7 * 86_400)).isEqualTo(new Formulas.Confidence(0.143, "low"));
    }

    @Test
    void classFollowsTheFittedNinetyFifthPercentile() {
        Formulas.Stats s = Formulas.stats(new double[]{0.5, 0.7, Double.NaN, 0.6});
        assertThat(s.n()).isEqualTo(3);
        assertThat(s.mean()).isCloseTo(0.6, within(1e-12));
        assertThat(s.fittedP95()).isCloseTo(0.6 + Formulas.Z95 * Math.sqrt(0.02 / 3), within(1e-12));
        assertThat(s.max()).isEqualTo(0.7);
        assertThat(Formulas.classify(0.8, 0.3, 0.1, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.COMPUTE_INTENSIVE);
        assertThat(Formulas.classify(0.3, 0.9, 0.1, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.MEMORY_INTENSIVE);
        assertThat(Formulas.classify(0.2, 0.3, 0.7, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.IO_INTENSIVE);
        // both high: neither dominates
        assertThat(Formulas.classify(0.8, 0.7, 0.1, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.BALANCED);
        // dominant but low
        assertThat(Formulas.classify(0.4, 0.1, 0.0, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.BALANCED);
        assertThat(Formulas.classify(0.5, 0.1, Double.NaN, S.intensiveLevel(), S.dominance())).isEqualTo(ProfileClass.COMPUTE_INTENSIVE);
    }

    @Test
    void similarityOfZNormalisedHourlyCurves() {
        double[] day = new double[24];
        double[] dayBig = new double[24];
        double[] night = new double[24];
        for (int h = 0; h < 24; h++) {
            boolean busy = h >= 8 && h < 20;
            day[h] = busy ? 0.5 : 0.1;
            dayBig[h] = busy ? 0.9 : 0.3; // another amplitude, same shape
            night[h] = busy ? 0.1 : 0.5;
        }
        double[] a = Formulas.zNormalise(day);
        assertThat(Formulas.distance(a, Formulas.zNormalise(dayBig))).isCloseTo(0, within(1e-9));
        assertThat(Formulas.distance(a, Formulas.zNormalise(night))).isCloseTo(2 * Math.sqrt(24), within(1e-9));
        assertThat(Formulas.zNormalise(new double[]{0.2, 0.2, 0.2})).isNull();
        double[] hourly = Formulas.hourly(new double[]{1, 3, 5}, 3600L * 5 + 1800, 1800);
        assertThat(hourly[5]).isEqualTo(1);
        assertThat(hourly[6]).isEqualTo(4);
        assertThat(hourly[7]).isNaN();
    }
}
