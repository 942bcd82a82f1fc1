package io.noah.api.web.dto;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

public final class ReleaseRequests {

    private ReleaseRequests() {
    }

    /**
     * Start a release. {@code batches} are replica counts ({@code batchUnit=replicas}, the default;
     * they must add up to the running replicas of each pool) or percentages ({@code percent}); with
     * {@code spanPools=true} one batch plan covers all pools in order. {@code replicas}: for an app
     * with no Deployment yet in a pool, create it there with this many replicas, in batches.
     */
    public record Create(
            @NotBlank @Size(max = 63) String app,
            @NotBlank @Size(max = 63) String namespace,
            @NotBlank @Size(max = 63) String version,
            @NotEmpty @Size(max = 20) Map<String, @NotBlank @Size(max = 512) String> images,
            @Size(max = 20) Map<String, Map<String, String>> env,
            @Size(max = 20) Map<String, Map<String, Map<String, String>>> resources,
            @NotEmpty @Size(max = 20) List<@NotBlank String> pools,
            @NotEmpty @Size(max = 50) List<Integer> batches,
            @Pattern(regexp = "replicas|percent") String batchUnit,
            Boolean spanPools,
            @Pattern(regexp = "manual|auto") String gate,
            @Min(0) @Max(86_400) Integer autoGateAfterSeconds,
            @Min(5) @Max(86_400) Integer batchDeadlineSeconds,
            @Pattern(regexp = "pause|rollback") String onDeadline,
            @Min(0) @Max(86_400) Integer deleteOldAfterSeconds,
            @Min(1) @Max(10_000) Integer replicas,
            @Size(max = 1000) String reason) {
    }

    /** A gate action: promote, pause, resume, abort, rollback ({@code fast}: everything back in one step). */
    public record Action(@Size(max = 1000) String reason, Boolean fast) {
    }
}
