package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

public final class MigrationViews {

    private MigrationViews() {
    }

    @Schema(name = "MigrationFit")
    public record Fit(String cluster, int pods, int placeable, long neededCpuMilli, long neededMemoryBytes, long freeCpuMilli,
                      long freeMemoryBytes, long shortCpuMilli, long shortMemoryBytes, boolean fits, String summary) {
    }

    @Schema(name = "MigrationMove")
    public record Move(String namespace, String app, int order, String deployment, String source, String target, int total, int targetBase,
                       int batchSize, int moved, @Schema(allowableValues = {"pending", "up", "down", "done", "back_up", "back_down", "rolled_back"})
                       String phase, int batch, @Nullable Instant batchStartedAt, boolean reconcile, boolean createsTarget, @Nullable String error) {
    }

    @Schema(name = "MigrationPlan")
    public record Plan(List<Move> moves, List<Fit> fit, List<String> blockers, Map<String, Integer> minReady, boolean fits) {
    }

    @Schema(name = "MigrationStep")
    public record Step(Instant at, String actor, String what, @Nullable String app, @Nullable String source, @Nullable Integer sourceReplicas,
                       @Nullable String target, @Nullable Integer targetReplicas) {
    }

    /** Per cluster: the apps and pods that left it or arrived, and what a source still has to scale down when it returns. */
    @Schema(name = "MigrationClusterReport")
    public record ClusterReport(String cluster, @Schema(allowableValues = {"source", "target"}) String role, int apps, int pods,
                                int toReconcile) {
    }

    @Schema(name = "Migration")
    public record Migration(String id, @Schema(allowableValues = {"running", "paused", "rolling_back", "reconciling", "succeeded",
            "rolled_back", "aborted", "failed"}) String state, @Nullable String message, String fromIdc, String toIdc, boolean allApps,
                            @Nullable String reason, String createdBy, Instant createdAt, Instant updatedAt, @Nullable Instant finishedAt,
                            @Nullable String reverseOf, int concurrency, @Nullable Integer batchSize, @Nullable Long batchDeadlineSeconds,
                            String onDeadline, boolean force,
                            List<Move> moves, List<ClusterReport> report, List<Step> history) {
    }
}
