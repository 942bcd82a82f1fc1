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
                      Instant updatedAt, Instant finishedAt, long version, Map<String, Map<String, TemplatePrint>> prints) {

    public Release {
        prints = prints == null ? Map.of() : prints;
    }

    public Release withPrints(Map<String, Map<String, TemplatePrint>> p) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, p);
    }

    public Release with(ReleaseState state, int step, int target, Instant stepStartedAt, String reason) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, prints);
    }

    public Release pausedFrom(ReleaseState from, String why) {
        return new Release(id, spec, plan, runningNames, canaryNames, ReleaseState.PAUSED, from, step, target, stepStartedAt, why,
                lastSet, createdBy, createdAt, updatedAt, finishedAt, version, prints);
    }

    public Release withLastSet(Map<String, Map<String, Integer>> ls) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                ls, createdBy, createdAt, updatedAt, finishedAt, version, prints);
    }

    public Release withVersion(long v, Instant at) {
        return new Release(id, spec, plan, runningNames, canaryNames, state, resumeTo, step, target, stepStartedAt, reason,
                lastSet, createdBy, createdAt, at, finishedAt, v, prints);
    }

    public Release finished(ReleaseState terminal, Instant at, String why) {
        return new Release(id, spec, plan, runningNames, canaryNames, terminal, null, step, target, stepStartedAt, why,
                lastSet, createdBy, createdAt, updatedAt, at, version, prints);
    }
}
