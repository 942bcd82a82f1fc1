package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

public final class AutoscalerViews {

    private AutoscalerViews() {
    }

    public record Bounds(int min, int max) {
    }

    public record Strategy(String name, @Schema(allowableValues = {"cpu", "memory", "io", "custom"}) String type, double target,
                           @Nullable String query) {
    }

    /** The rules in force for a pool (the seed's defaults with the policy's tuning and the pool's bounds). */
    public record Rules(double toleranceUp, double toleranceDown, long upCooldownSeconds, long downCooldownSeconds, double frustration,
                        int min, int max, int upLimitPods, int upLimitPercent) {
    }

    /** The policy with the newest decision of each pool. */
    public record Autoscaler(String id, String app, String namespace, @Schema(allowableValues = {"observe", "enforce"}) String mode,
                             Map<String, Bounds> pools, List<Strategy> strategies, Map<String, Rules> rules, long version,
                             String createdBy, Instant createdAt, Instant updatedAt, List<Decision> latest) {
    }

    /**
     * {@code ratio}: the ready pods' average over the target (1.0 on target); {@code desired}: this strategy's count
     * (null when it has none: {@code invalid} says why).
     */
    public record StrategyResult(String name, double ratio, @Nullable Integer desired, int counted, int missing, int ignored,
                                 @Nullable String invalid) {
    }

    /** A pod as the decision saw it: requests in cores and bytes, each strategy's value (absent: none). */
    @Schema(name = "DecisionPod")
    public record Pod(String name, boolean ready, double cpuRequest, double memoryRequest, Map<String, Double> values) {
    }

    /**
     * One decision for one pool; identical consecutive decisions are one ({@code repeats}, from {@code at} to
     * {@code lastAt}). {@code applied}: the count was written. {@code frozen}: why nothing may be written now.
     */
    public record Decision(long id, String pool, Instant at, Instant lastAt, int repeats,
                           @Schema(allowableValues = {"observe", "enforce"}) String mode,
                           @Schema(allowableValues = {"scale-up", "frustrated-scale-up", "scale-down", "within-tolerance", "up-cooldown",
                                   "down-cooldown", "partial-data", "no-metrics", "clamped", "release-in-progress", "migration-in-progress", "other-autoscaler",
                                   "pool-unavailable", "no-deployment", "several-deployments", "write-conflict", "evaluation-failed"})
                           String reason,
                           int current, int desired, int proposed, boolean applied, @Nullable String deployment, String explanation,
                           @Nullable String frozen, boolean rateLimited, boolean clamped, Rules rules, @Nullable Instant lastScaleUp,
                           @Nullable Instant lastScaleDown, List<StrategyResult> strategies, List<Pod> pods, Map<String, String> sourceErrors) {
    }

    /** Decisions newest first; {@code next}: the {@code before} of the following page (null: no more). */
    public record DecisionPage(List<Decision> items, @Nullable String next) {
    }
}
