package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

public final class ReleaseViews {

    private ReleaseViews() {
    }

    public record DeploymentCounts(String name, int desired, int ready) {
    }

    /** One pool: the plan's targets for the step being applied, and what the Deployments have (from the caches). */
    public record Pool(String pool, int targetCanary, int targetRunning, @Nullable DeploymentCounts running,
                       @Nullable DeploymentCounts canary) {
    }

    public record Event(long id, Instant at, String actor,
                        @Schema(allowableValues = {"created", "promoted", "paused", "resumed", "aborted", "rollback", "rollback-fast",
                                "batch-done", "succeeded", "deadline-rollback", "rolled-back-step", "rolled-back", "resized"}) String type,
                        @Schema(allowableValues = {"running", "waiting", "paused", "rolling_back", "succeeded", "rolled_back", "aborted"}) @Nullable String from, @Schema(allowableValues = {"running", "waiting", "paused", "rolling_back", "succeeded", "rolled_back", "aborted"}) String to, int step, int target,
                        @Nullable String reason) {
    }

    public record Release(String id, String app, String namespace, String version, @Schema(allowableValues = {"running", "waiting", "paused", "rolling_back", "succeeded", "rolled_back", "aborted"}) String state, int step, int target,
                          int lastStep, @Nullable String reason, List<Pool> pools, List<List<Integer>> plan, String createdBy,
                          Instant createdAt, Instant updatedAt, @Nullable Instant finishedAt, List<Event> history) {
    }
}
