package io.noah.hpa;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One decision of an autoscaler for one pool, with everything it was made from. Identical consecutive decisions are one
 * record ({@code repeats}, {@code lastAt}), so a steady app costs one row, not one per tick.
 *
 * @param reason   a code: the calculator's ({@code scale-up}, {@code frustrated-scale-up}, {@code scale-down},
 *                 {@code within-tolerance}, {@code up-cooldown}, {@code down-cooldown}, {@code partial-data},
 *                 {@code no-metrics}, {@code clamped}) or why nothing could be decided or written
 *                 ({@code release-in-progress}, {@code migration-in-progress}, {@code other-autoscaler}, {@code pool-unavailable}, {@code no-deployment},
 *                 {@code several-deployments}, {@code write-conflict})
 * @param applied  the replica count was written (enforce mode, not frozen, a change)
 */
public record DecisionRecord(long id, String autoscalerId, String pool, Instant at, Instant lastAt, int repeats, String mode,
                             String reason, int current, int desired, boolean applied, Detail detail) {

    /**
     * @param frozen   why nothing may be written in this pool now (null: nothing stops it)
     * @param sourceErrors strategies whose metric query failed: strategy → error
     */
    public record Detail(String deployment, int proposed, String explanation, String frozen, boolean rateLimited, boolean clamped,
                         RulesView rules, Instant lastScaleUp, Instant lastScaleDown, List<Calculator.StrategyResult> strategies,
                         List<Pod> pods, Map<String, String> sourceErrors) {
    }

    /** A pod as the decision saw it: ready or not, its requests (cores, bytes) and each strategy's value (absent: none). */
    public record Pod(String name, boolean ready, double cpuRequest, double memoryRequest, Map<String, Double> values) {
    }

    /** The rules in force, durations in seconds. */
    public record RulesView(double toleranceUp, double toleranceDown, long upCooldownSeconds, long downCooldownSeconds,
                            double frustration, int min, int max, int upLimitPods, int upLimitPercent) {
        public static RulesView of(Calculator.Rules r) {
            return new RulesView(r.toleranceUp(), r.toleranceDown(), r.upCooldown().toSeconds(), r.downCooldown().toSeconds(),
                    r.frustration(), r.min(), r.max(), r.upLimitPods(), r.upLimitPercent());
        }
    }

    /** Two decisions are the same outcome when a reader would not tell them apart in a list. */
    String outcomeKey() {
        return mode + "|" + reason + "|" + current + "|" + desired + "|" + detail.proposed() + "|" + applied + "|" + detail.frozen()
                + "|" + detail.sourceErrors().keySet();
    }
}
