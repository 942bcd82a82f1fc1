package io.noah.hpa;

import io.noah.cluster.model.NoahException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every way a policy can be wrong gets a code and the field; a valid one yields the calculator's rules per pool. */
class PolicySpecTest {

    private static final Set<String> POOLS = Set.of("idc-a", "idc-b");

    private static PolicySpec policy(Map<String, PolicySpec.Bounds> pools, List<PolicySpec.StrategySpec> strategies, PolicySpec.Tuning t) {
        return new PolicySpec("web", "shop", pools, strategies, t, PolicySpec.Mode.OBSERVE);
    }

    private static final List<PolicySpec.StrategySpec> CPU = List.of(new PolicySpec.StrategySpec("cpu", "cpu", 0.6, null));

    private static void refused(PolicySpec p, NoahException.Reason reason, String field, String message) {
        assertThatThrownBy(() -> p.validate(POOLS)).as(field).isInstanceOfSatisfying(NoahException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(message);
        }).hasMessageContaining(message);
    }

    @Test
    void aValidPolicyGivesEachPoolItsRules() {
        PolicySpec p = policy(Map.of("idc-a", new PolicySpec.Bounds(2, 10), "idc-b", new PolicySpec.Bounds(1, 4)), List.of(
                new PolicySpec.StrategySpec("cpu", "cpu", 0.6, null),
                new PolicySpec.StrategySpec("rps", "custom", 100, "sum by (pod) (rate(http_requests_total{pod=~\"$pods\"}[$window]))")),
                new PolicySpec.Tuning(0.02, null, Duration.ofMinutes(1), null, null, null, null));
        p.validate(POOLS);
        Calculator.Rules a = p.rules("idc-a");
        assertThat(a.min()).isEqualTo(2);
        assertThat(a.max()).isEqualTo(10);
        assertThat(a.toleranceUp()).isEqualTo(0.02);
        assertThat(a.toleranceDown()).isEqualTo(0.05);
        assertThat(a.upCooldown()).isEqualTo(Duration.ofMinutes(1));
        assertThat(a.downCooldown()).isEqualTo(Duration.ofMinutes(5));
        assertThat(a.frustration()).isEqualTo(1.4);
        assertThat(policy(Map.of("idc-b", new PolicySpec.Bounds(1, 4)), CPU, null).rules("idc-b").upLimitPods()).isEqualTo(4);
    }

    @Test
    void everyMistakeNamesItsField() {
        var ok = Map.of("idc-a", new PolicySpec.Bounds(1, 5));
        refused(policy(Map.of("idc-z", new PolicySpec.Bounds(1, 5)), CPU, null), NoahException.Reason.UNKNOWN_POOL, "pools.idc-z",
                "not a registered cluster");
        refused(policy(Map.of("idc-a", new PolicySpec.Bounds(5, 2)), CPU, null), NoahException.Reason.INVALID_ARGUMENT, "pools.idc-a",
                "1 <= min <= max");
        refused(policy(Map.of("idc-a", new PolicySpec.Bounds(0, 2)), CPU, null), NoahException.Reason.INVALID_ARGUMENT, "pools.idc-a",
                "got min 0");
        refused(policy(Map.of(), CPU, null), NoahException.Reason.INVALID_ARGUMENT, "pools", "at least one pool");
        refused(policy(ok, List.of(), null), NoahException.Reason.INVALID_ARGUMENT, "strategies", "at least one strategy");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("cpu", "cpu", 0, null)), null), NoahException.Reason.INVALID_ARGUMENT,
                "target", "0 < target <= 10");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("rps", "custom", -1, "x{pod=~\"$pods\"}")), null),
                NoahException.Reason.INVALID_ARGUMENT, "target", "target must be > 0");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("gpu", "gpu", 1, null)), null), NoahException.Reason.INVALID_ARGUMENT,
                "type", "type must be one of cpu, memory, io, custom");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("rps", "custom", 100, "sum(rate(http_requests_total[1m])")), null),
                NoahException.Reason.INVALID_QUERY_TEMPLATE, "query", "must select the policy's pods with $pods");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("rps", "custom", 100, "x{pod=~\"$pods\"} $token")), null),
                NoahException.Reason.INVALID_QUERY_TEMPLATE, "query", "unknown placeholder $token");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("cpu", "cpu", 0.5, "up{pod=~\"$pods\"}")), null),
                NoahException.Reason.INVALID_ARGUMENT, "query", "only a custom strategy takes a query");
        refused(policy(ok, List.of(CPU.getFirst(), CPU.getFirst()), null), NoahException.Reason.INVALID_ARGUMENT, "name", "two strategies");
        refused(policy(ok, List.of(new PolicySpec.StrategySpec("CPU!", "cpu", 0.5, null)), null), NoahException.Reason.INVALID_ARGUMENT,
                "name", "lowercase letters");
        refused(policy(ok, CPU, new PolicySpec.Tuning(0.7, null, null, null, null, null, null)), NoahException.Reason.INVALID_ARGUMENT,
                "tuning", "toleranceUp must be between 0.0 and 0.5");
        refused(policy(ok, CPU, new PolicySpec.Tuning(null, null, null, Duration.ofHours(2), null, null, null)),
                NoahException.Reason.INVALID_ARGUMENT, "tuning", "downCooldown must be between 0 and 1 hour");
        refused(policy(ok, CPU, new PolicySpec.Tuning(null, null, null, null, 0.9, null, null)), NoahException.Reason.INVALID_ARGUMENT,
                "tuning", "frustration must be between 1.0 and 100");
        refused(policy(ok, CPU, new PolicySpec.Tuning(null, null, null, null, null, 0, null)), NoahException.Reason.INVALID_ARGUMENT,
                "tuning", "upLimitPods must be");
        refused(policy(ok, CPU, new PolicySpec.Tuning(null, null, null, null, null, null, 0)), NoahException.Reason.INVALID_ARGUMENT,
                "tuning", "upLimitPercent must be");
        refused(new PolicySpec("web app", "shop", ok, CPU, null, PolicySpec.Mode.OBSERVE), NoahException.Reason.INVALID_ARGUMENT, "app",
                "label value");
        refused(new PolicySpec("web", "Shop", ok, CPU, null, PolicySpec.Mode.OBSERVE), NoahException.Reason.INVALID_ARGUMENT, "namespace",
                "DNS label");
        refused(new PolicySpec("web", "shop", ok, CPU, null, null), NoahException.Reason.INVALID_ARGUMENT, "mode", "observe or enforce");
    }
}
