package io.noah.api.web.dto;

import java.time.Instant;
import java.util.List;

public final class ReleaseViews {

    private ReleaseViews() {
    }

    public record DeploymentCounts(String name, int desired, int ready) {
    }

    /** One pool: the plan's targets for the step being applied, and what the Deployments have (from the caches). */
    public record Pool(String pool, int targetCanary, int targetRunning, DeploymentCounts running, DeploymentCounts canary) {
    }

    public record Event(long id, Instant at, String actor, String type, String from, String to, int step, int target, String reason) {
    }

    public record Release(String id, String app, String namespace, String version, String state, int step, int target,
                          int lastStep, String reason, List<Pool> pools, List<List<Integer>> plan, String createdBy,
                          Instant createdAt, Instant updatedAt, Instant finishedAt, List<Event> history) {
    }
}
