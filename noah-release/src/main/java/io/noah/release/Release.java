package io.noah.release;

import io.noah.cluster.cache.TemplatePrint;

import java.time.Instant;
import java.util.Map;

/**
 * A release as persisted: spec, plan, and where it is. {@code step} is the last step every pool
 * reached; {@code target} the step being applied (equal to {@code step} when nothing is in flight).
 * {@code lastSet} remembers the replica counts Noah last asked for per pool ("canary"/"running"),
 * so a change made outside Noah is noticed instead of fought; {@code prints} the pod templates Noah created or
 * found per pool and role, so a template changed by hand (or a Deployment deleted) is noticed too.
 * {@code version} guards every update.
 */
public record Release(String id, ReleaseSpec spec, Plan plan, Map<String, String> runningNames, Map<String, String> canaryNames,
                      ReleaseState state, ReleaseState resumeTo, int step, int target, Instant stepStartedAt,
                      String reason, Map<String, Map<String, Integer>> lastSet, String createdBy, Instant createdAt,
                      Instant updatedAt, Instant finishedAt, long version, Map<String, Map<String, TemplatePrint>> prints,
                      Plan basePlan) {

    public Release {
        prints = prints == null ? Map.of() : prints;
    }

    /** A release whose plan was never resized ({@code basePlan} null: the plan is its own base). */
    public Release(String id, ReleaseSpec spec, Plan plan, Map<String, String> runningNames, Map<String, String> canaryNames,
                   ReleaseState state, ReleaseState resumeTo, int step, int target, Instant stepStartedAt,
                   String reason, Map<String, Map<String, Integer>> lastSet, String createdBy, Instant createdAt,
                   Instant updatedAt, Instant finishedAt, long version, Map<String, Map<String, TemplatePrint>> prints) {
        this(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason, lastSet, createdBy,
                createdAt, updatedAt, finishedAt, version, prints, null);
    }

    /** The plan as created, whose shares every resize keeps (resizing from it, not from the last resize, so rounding never drifts). */
    public Plan origin() {
        return basePlan == null ? plan : basePlan;
    }

    /**
     * The release with each pool's total set to the one asked (pools of the plan only), in the origin plan's shares,
     * the canary count of the step reached never lowered ({@link Plan#resized}); this same release when nothing changes.
     */
    public Release resized(Map<String, Integer> totals) {
        Plan p = plan;
        for (var e : totals.entrySet()) {
            if (p.pools().contains(e.getKey()) && e.getValue() != null && e.getValue() > 0) {
                p = p.resized(origin(), e.getKey(), e.getValue(), step);
            }
        }
        if (p.equals(plan)) {
            return this;
        }
        return new Release(id, spec, p, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, prints, origin());
    }

    public Release withPrints(Map<String, Map<String, TemplatePrint>> p) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, p, basePlan);
    }

    public Release with(ReleaseState state, int step, int target, Instant stepStartedAt, String reason) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, prints, basePlan);
    }

    public Release pausedFrom(ReleaseState from, String why) {
        return new Release(id, spec, plan, runningNames, canaryNames, ReleaseState.PAUSED, from, step, target, stepStartedAt, why,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, prints, basePlan);
    }

    public Release withLastSet(Map<String, Map<String, Integer>> ls) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                ls, createdBy, createdAt, updatedAt, finishedAt, version, prints, basePlan);
    }

    public Release withVersion(long v, Instant at) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, at, finishedAt, v, prints, basePlan);
    }

    public Release finished(ReleaseState terminal, Instant at, String why) {
        return new Release(id, spec, plan, runningNames, canaryNames, terminal, null, step, target, stepStartedAt, why,
                lastSet, createdBy, createdAt, updatedAt, at, version, prints, basePlan);
    }
}
