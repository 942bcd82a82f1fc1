package io.noah.hpa.advice;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The advisor over a fake store: one app's failure stays on its profile, horizontal falls back, pairs stay within a cluster. */
class AdvisorTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:03:00Z");

    private static AppTarget app(String cluster, String name, int containers, boolean horizontal) {
        return new AppTarget(cluster, "dc1", "ns", name, List.of(name), List.of(), containers, 0.5, 1 << 30, horizontal, false);
    }

    /** Every query of app {@code name} answers {@code value} (a constant curve) or, for a "day"/"night" app, a daily shape. */
    private static double[] series(String query, Instant start, Instant end, Duration step) {
        int n = (int) ((end.getEpochSecond() - start.getEpochSecond()) / step.toSeconds()) + 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            long hour = (start.getEpochSecond() + i * step.toSeconds()) % 86_400 / 3600;
            boolean day = hour >= 8 && hour < 20;
            if (query.contains("(broken)")) {
                throw new IllegalStateException("store refused");
            }
            v[i] = query.contains("(idle)") ? 0.02 : query.contains("(day") ? (day ? 0.5 : 0.1) : query.contains("(night") ? (day ? 0.1 : 0.5) : 0.4;
        }
        if (query.contains("(young)")) {
            Arrays.fill(v, 0, n - 100, Double.NaN); // 100 points: under a day
        }
        return v;
    }

    @Test
    void oneAppFailingIsRecordedAndTheOthersGoOn() {
        AdviceReport r = new Advisor(AdvisorTest::series, AdviceSettings.defaults(), "app")
                .run(List.of(app("c1", "broken", 2, false), app("c1", "idle", 1, true), app("c1", "young", 2, false)), NOW);
        Map<String, AdviceReport.Profile> p = r.profiles().stream().collect(java.util.stream.Collectors.toMap(AdviceReport.Profile::app, x -> x));
        assertThat(r.failedApps()).isEqualTo(1);
        assertThat(p.get("broken").error()).contains("store refused");
        assertThat(p.get("young").profileClass()).isEqualTo("insufficient-data");
        // one pod cannot shrink horizontally: the advice is vertical
        assertThat(r.advice()).extracting(AdviceReport.Advice::app, AdviceReport.Advice::kind)
                .contains(org.assertj.core.groups.Tuple.tuple("idle", "cpu-down-vertical"));
        assertThat(r.end()).isEqualTo(Instant.parse("2026-12-01T11:55:00Z"));
        assertThat(r.start()).isEqualTo(r.end().minus(Duration.ofDays(7)).plus(Duration.ofMinutes(5)));
    }

    @Test
    void pairsAreWithinACluster() {
        AdviceReport r = new Advisor(AdvisorTest::series, AdviceSettings.defaults(), "app")
                .run(List.of(app("c1", "day", 2, false), app("c2", "night", 2, false), app("c1", "night1", 2, false)), NOW);
        assertThat(r.complementary()).hasSize(1);
        assertThat(r.complementary().getFirst().cluster()).isEqualTo("c1");
        assertThat(r.affinity()).containsKeys("c1/ns/day", "c1/ns/night1").doesNotContainKey("c2/ns/night");
        assertThat(r.overcommit()).extracting(AdviceReport.ClusterOvercommit::cluster).containsExactly("c1", "c2");
    }
}
