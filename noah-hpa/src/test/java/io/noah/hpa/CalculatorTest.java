package io.noah.hpa;

import io.noah.hpa.Calculator.Decision;
import io.noah.hpa.Calculator.History;
import io.noah.hpa.Calculator.Input;
import io.noah.hpa.Calculator.Kind;
import io.noah.hpa.Calculator.PodSample;
import io.noah.hpa.Calculator.Reason;
import io.noah.hpa.Calculator.Rules;
import io.noah.hpa.Calculator.Strategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden cases of the autoscaler's calculator: the seed's rules and the Kubernetes replica calculator's that apply. */
class CalculatorTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofHours(1));
    private static final Rules RULES = Rules.seed(1, 100);

    private static Strategy cpu(double target) {
        return new Strategy("cpu", Kind.UTILIZATION, target, true);
    }

    /** Ready pods started long ago, requests of 1 core, with these usages (null: no value). */
    private static List<PodSample> pods(Double... usage) {
        List<PodSample> out = new ArrayList<>();
        for (int i = 0; i < usage.length; i++) {
            out.add(new PodSample("p" + i, true, LONG_AGO, usage[i], 1.0));
        }
        return out;
    }

    private static List<PodSample> uniform(int n, double usage) {
        List<PodSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new PodSample("p" + i, true, LONG_AGO, usage, 1.0));
        }
        return out;
    }

    private static PodSample unready(PodSample p) {
        return new PodSample(p.pod(), false, p.startedAt(), p.value(), p.request());
    }

    private static Decision decide(int current, Strategy s, List<PodSample> pods) {
        return Calculator.decide(current, List.of(Input.of(s, pods)), RULES, History.NONE, NOW);
    }

    @Test
    void theToleranceBoundariesAreInclusive() {
        // 20 pods at 50 % target: 0.949 of it scales down, 0.95 and 1.05 do not move, 1.051 scales up
        assertThat(decide(20, cpu(0.5), uniform(20, 0.5 * 0.949))).extracting(Decision::desired, Decision::reason)
                .containsExactly(19, Reason.SCALE_DOWN);
        assertThat(decide(20, cpu(0.5), uniform(20, 0.5 * 0.95))).extracting(Decision::desired, Decision::reason)
                .containsExactly(20, Reason.WITHIN_TOLERANCE);
        assertThat(decide(20, cpu(0.5), uniform(20, 0.5 * 1.05))).extracting(Decision::desired, Decision::reason)
                .containsExactly(20, Reason.WITHIN_TOLERANCE);
        assertThat(decide(20, cpu(0.5), uniform(20, 0.5 * 1.051))).extracting(Decision::desired, Decision::reason)
                .containsExactly(22, Reason.SCALE_UP);
    }

    @Test
    void toleranceIsPerDirection() {
        Rules eager = new Rules(0.02, 0.10, Duration.ofMinutes(3), Duration.ofMinutes(5), 1.4, 1, 100, 4, 100, Duration.ofMinutes(5),
                Duration.ofMinutes(1));
        assertThat(Calculator.decide(20, List.of(Input.of(cpu(0.5), uniform(20, 0.5 * 1.03))), eager, History.NONE, NOW).desired())
                .isEqualTo(21);
        assertThat(Calculator.decide(20, List.of(Input.of(cpu(0.5), uniform(20, 0.5 * 0.92))), eager, History.NONE, NOW).desired())
                .isEqualTo(20);
    }

    @Test
    void theSeedsFormulaSumsPerPodUtilisation() {
        // pods of different requests: Σ (usage / request) / target
        List<PodSample> mixed = List.of(new PodSample("a", true, LONG_AGO, 0.9, 1.0), new PodSample("b", true, LONG_AGO, 1.8, 2.0),
                new PodSample("c", true, LONG_AGO, 0.45, 0.5));
        assertThat(decide(3, cpu(0.5), mixed).desired()).isEqualTo(6); // (0.9 + 0.9 + 0.9) / 0.5 = 5.4 → 6
        // a plain value per pod (requests per second): Σ value / target
        Strategy rps = new Strategy("rps", Kind.AVERAGE_VALUE, 100, false);
        assertThat(decide(2, rps, pods(250.0, 150.0)).desired()).isEqualTo(4);
    }

    @Test
    void insideTheUpCooldownOnlyTheFrustratedLevelScalesUp() {
        History justScaledUp = new History(NOW.minus(Duration.ofMinutes(1)), null);
        Decision calm = Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.5 * 1.39))), RULES, justScaledUp, NOW);
        assertThat(calm.desired()).isEqualTo(10);
        assertThat(calm.reason()).isEqualTo(Reason.UP_COOLDOWN);
        assertThat(calm.proposed()).isEqualTo(14);
        assertThat(calm.explanation()).contains("under the frustrated level 1.40");
        Decision frustrated = Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.5 * 1.45))), RULES, justScaledUp, NOW);
        assertThat(frustrated.desired()).isEqualTo(15);
        assertThat(frustrated.reason()).isEqualTo(Reason.FRUSTRATED_SCALE_UP);
        // the cooldown over: 1.39 scales up as usual
        History earlier = new History(NOW.minus(Duration.ofMinutes(3)), null);
        assertThat(Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.5 * 1.39))), RULES, earlier, NOW))
                .extracting(Decision::desired, Decision::reason).containsExactly(14, Reason.SCALE_UP);
    }

    @Test
    void aScaleDownWaitsFiveMinutesAfterAnyScale() {
        List<Input> low = List.of(Input.of(cpu(0.5), uniform(10, 0.25)));
        assertThat(Calculator.decide(10, low, RULES, new History(NOW.minus(Duration.ofMinutes(4)), null), NOW))
                .extracting(Decision::desired, Decision::reason).containsExactly(10, Reason.DOWN_COOLDOWN);
        assertThat(Calculator.decide(10, low, RULES, new History(null, NOW.minus(Duration.ofMinutes(4))), NOW).reason())
                .isEqualTo(Reason.DOWN_COOLDOWN);
        assertThat(Calculator.decide(10, low, RULES, new History(NOW.minus(Duration.ofMinutes(9)), NOW.minus(Duration.ofMinutes(5))), NOW))
                .extracting(Decision::desired, Decision::reason).containsExactly(5, Reason.SCALE_DOWN);
        // after a scale-down, a rise is answered at once
        assertThat(Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.6))), RULES,
                new History(null, NOW.minus(Duration.ofMinutes(1))), NOW).reason()).isEqualTo(Reason.SCALE_UP);
    }

    // --- the Kubernetes replica calculator's cases (pkg/controller/podautoscaler/replica_calculator_test.go), CPU in cores

    @Test
    void kubernetesScaleUp() {
        assertThat(decide(3, cpu(0.3), pods(0.3, 0.5, 0.7)).desired()).isEqualTo(5);
    }

    @Test
    void kubernetesScaleDown() {
        assertThat(decide(5, cpu(0.5), pods(0.1, 0.3, 0.5, 0.25, 0.25)).desired()).isEqualTo(3);
    }

    @Test
    void kubernetesScaleUpUnreadyLessScale() {
        List<PodSample> p = new ArrayList<>(pods(0.3, 0.5, 0.7));
        p.set(0, unready(p.get(0)));
        Decision d = decide(3, cpu(0.3), p);
        assertThat(d.desired()).isEqualTo(4);
        assertThat(d.results().getFirst().ignored()).isEqualTo(1);
    }

    @Test
    void kubernetesScaleUpHotCpuLessScale() {
        List<PodSample> p = new ArrayList<>(pods(0.3, 0.5, 0.7));
        p.set(0, new PodSample("p0", true, NOW.minus(Duration.ofMinutes(1)), 0.3, 1.0)); // still starting: its CPU is not counted
        assertThat(decide(3, cpu(0.3), p).desired()).isEqualTo(4);
        // a strategy that is not CPU counts it
        assertThat(decide(3, new Strategy("io", Kind.UTILIZATION, 0.3, false), p).desired()).isEqualTo(5);
    }

    @Test
    void kubernetesScaleUpUnreadyNoScale() {
        List<PodSample> p = new ArrayList<>(pods(0.4, 0.5, 0.6));
        p.set(0, unready(p.get(0)));
        p.set(2, unready(p.get(2)));
        // only the ready pod counts (50 % of a 30 % target → 1.67); the unready ones at 0 → (0 + 0.5 + 0) / 3 / 0.3 = 0.56: a
        // change of direction, so no change
        assertThat(decide(3, cpu(0.3), p)).extracting(Decision::desired, Decision::reason).containsExactly(3, Reason.WITHIN_TOLERANCE);
    }

    @Test
    void kubernetesMissingMetricsNoChange() {
        assertThat(decide(2, cpu(1.0), pods(1.9, null)).desired()).as("more than target: the missing pod at 0").isEqualTo(2);
        assertThat(decide(2, cpu(1.0), pods(0.6, null)).desired()).as("less than target: the missing pod at target").isEqualTo(2);
    }

    @Test
    void kubernetesMissingMetricsUnreadyCases() {
        List<PodSample> up = new ArrayList<>(pods(0.1, 2.0, null));
        up.set(0, unready(up.get(0)));
        assertThat(decide(3, cpu(0.5), up).desired()).isEqualTo(4);
        List<PodSample> same = new ArrayList<>(pods(0.1, 0.45, null));
        same.set(0, unready(same.get(0)));
        assertThat(decide(3, cpu(0.5), same).desired()).isEqualTo(3);
        // Kubernetes counts a missing pod at 100 % of its request when scaling down (3 here); Noah at the target (issue 12)
        List<PodSample> down = new ArrayList<>(pods(0.1, 0.1, 0.1, null));
        down.set(0, unready(down.get(0)));
        assertThat(decide(4, cpu(0.5), down).desired()).isEqualTo(2);
    }

    @Test
    void theLargestValidStrategyWinsAndEveryResultIsKept() {
        Strategy rps = new Strategy("rps", Kind.AVERAGE_VALUE, 100, false);
        Decision d = Calculator.decide(4, List.of(Input.of(cpu(0.5), uniform(4, 0.4)), Input.of(rps, uniform(4, 150))), RULES,
                History.NONE, NOW);
        assertThat(d.desired()).isEqualTo(6);
        assertThat(d.results()).extracting(Calculator.StrategyResult::name, Calculator.StrategyResult::desired)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cpu", 4), org.assertj.core.groups.Tuple.tuple("rps", 6));
        assertThat(d.explanation()).contains("rps at 1.50 × target wants 6");
    }

    @Test
    void noScaleDownOnPartialDataAndNothingWithoutData() {
        Strategy rps = new Strategy("rps", Kind.AVERAGE_VALUE, 100, false);
        Decision partial = Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.1)), Input.failed(rps, "the metric source timed out")),
                RULES, History.NONE, NOW);
        assertThat(partial).extracting(Decision::desired, Decision::reason).containsExactly(10, Reason.PARTIAL_DATA);
        assertThat(partial.explanation()).contains("rps (the metric source timed out)");
        // a scale-up on partial data is fine: the data present says more is needed
        assertThat(Calculator.decide(10, List.of(Input.of(cpu(0.5), uniform(10, 0.8)), Input.failed(rps, "down")), RULES, History.NONE, NOW)
                .desired()).isEqualTo(16);
        Decision none = Calculator.decide(10, List.of(Input.failed(rps, "down"), Input.of(cpu(0.5), List.of())), RULES, History.NONE, NOW);
        assertThat(none).extracting(Decision::desired, Decision::reason).containsExactly(10, Reason.NO_METRICS);
        assertThat(none.results()).extracting(Calculator.StrategyResult::invalid).containsExactly("down", "no pods");
        List<PodSample> noRequests = List.of(new PodSample("p", true, LONG_AGO, 0.5, 0), unready(new PodSample("q", true, LONG_AGO, 0.5, 1)));
        assertThat(decide(2, cpu(0.5), noRequests).results().getFirst().invalid()).isEqualTo("no value for any ready pod");
    }

    @Test
    void scaleUpIsRateLimitedToTheLargerOfDoubleAndPlusFour() {
        assertThat(decide(2, cpu(0.1), uniform(2, 1.0))).extracting(Decision::proposed, Decision::desired, Decision::rateLimited)
                .containsExactly(20, 6, true);
        assertThat(decide(10, cpu(0.1), uniform(10, 1.0))).extracting(Decision::desired, Decision::rateLimited).containsExactly(20, true);
        assertThat(decide(10, cpu(0.5), uniform(10, 0.6)).rateLimited()).isFalse();
    }

    @Test
    void minAndMaxClampWhateverTheReason() {
        Rules bounded = Rules.seed(3, 8);
        Decision high = Calculator.decide(6, List.of(Input.of(cpu(0.5), uniform(6, 0.9))), bounded, History.NONE, NOW);
        assertThat(high).extracting(Decision::desired, Decision::reason, Decision::clamped).containsExactly(8, Reason.CLAMPED, true);
        Decision below = Calculator.decide(1, List.of(Input.failed(cpu(0.5), "down")), bounded, History.NONE, NOW);
        assertThat(below).extracting(Decision::desired, Decision::reason).containsExactly(3, Reason.CLAMPED);
        assertThat(below.explanation()).contains("clamped to 3 (min 3, max 8)");
        assertThatThrownBy(() -> Rules.seed(5, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cpu(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void podsSeenNeverTurnAScaleDownIntoAScaleUp() {
        // 2 replicas wanted by the Deployment but 4 pods around (a rollout): the missing ones at target pull to 4 > 2
        assertThat(decide(2, cpu(0.5), pods(0.1, null, null, null))).extracting(Decision::desired, Decision::reason)
                .containsExactly(2, Reason.WITHIN_TOLERANCE);
    }

    @Test
    void theLastScaleIsWhicheverCameLastAndPodsWithoutAStartTimeAreCounted() {
        List<Input> low = List.of(Input.of(cpu(0.5), uniform(10, 0.25)));
        assertThat(Calculator.decide(10, low, RULES, new History(NOW.minus(Duration.ofMinutes(4)), NOW.minus(Duration.ofMinutes(10))), NOW)
                .reason()).isEqualTo(Reason.DOWN_COOLDOWN);
        List<PodSample> noStart = List.of(new PodSample("p", true, null, 0.9, 1.0));
        assertThat(decide(1, cpu(0.5), noStart).desired()).isEqualTo(2);
        assertThatThrownBy(() -> Rules.seed(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
