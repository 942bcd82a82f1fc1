package io.noah.api.web.dto;

import io.noah.hpa.advice.AdviceReport;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.time.Instant;
import java.util.List;
import java.util.Map;

public final class AdviceViews {

    private AdviceViews() {
    }

    /** Start an advice run now; {@code windowDays}: the history to read (default: the configured window, 7 days). */
    @Schema(name = "AdviceRunRequest")
    public record RunRequest(@Min(1) @Max(30) Integer windowDays, @Size(max = 1000) String reason) {
    }

    /** Mark a piece of advice done or dismissed; the reason is kept with it and in the audit log. */
    @Schema(name = "AdviceMark")
    public record Mark(@NotBlank @Size(min = 1, max = 1000) String reason) {
    }

    @Schema(name = "AdviceRun")
    public record Run(String id, @Schema(allowableValues = {"RUNNING", "SUCCEEDED", "FAILED"}) String state,
                      @Schema(allowableValues = {"request", "schedule"}) String trigger, String actor, String reason,
                      long windowSeconds, String instance, Instant createdAt, Instant finishedAt, String error,
                      Map<String, Object> summary) {
    }

    @Schema(name = "AdviceItem")
    public record Item(long id, String runId, @Schema(allowableValues = {"open", "done", "dismissed"}) String state, String stateActor,
                       String stateReason, Instant stateAt, AdviceReport.Advice advice) {
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
