package io.noah.api.web.dto;

import io.noah.hpa.advice.AdviceReport;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

public final class AdviceViews {

    private AdviceViews() {
    }

    @Schema(name = "AdviceRun")
    public record Run(String id, @Schema(allowableValues = {"RUNNING", "SUCCEEDED", "FAILED"}) String state,
                      @Schema(allowableValues = {"request", "schedule"}) String trigger, String actor, @Nullable String reason,
                      long windowSeconds, String instance, Instant createdAt, @Nullable Instant finishedAt, @Nullable String error,
                      @Nullable Map<String, Object> summary) {
    }

    @Schema(name = "AdviceItem")
    public record Item(long id, String runId, @Schema(allowableValues = {"open", "done", "dismissed"}) String state, @Nullable String stateActor,
                       @Nullable String stateReason, @Nullable Instant stateAt, AdviceReport.Advice advice) {
    }

    @Schema(name = "AdviceList")
    public record ItemPage(Run run, List<Item> items) {
    }

    @Schema(name = "AdviceProfiles")
    public record Profiles(Run run, Instant start, Instant end, long stepSeconds, List<AdviceReport.Profile> profiles) {
    }

    /** The top-N pairs and, per app in them ("cluster/namespace/app"), the affinity to merge into its pod template. */
    @Schema(name = "AdvicePairs")
    public record Pairs(Run run, List<AdviceReport.Pair> similar, List<AdviceReport.Pair> complementary,
                        Map<String, List<Map<String, Object>>> affinity) {
    }

    @Schema(name = "AdviceOvercommit")
    public record Overcommit(Run run, List<AdviceReport.ClusterOvercommit> clusters) {
    }
}
