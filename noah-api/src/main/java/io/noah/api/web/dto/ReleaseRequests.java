package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

public final class ReleaseRequests {

    private ReleaseRequests() {
    }

    /** A Kubernetes label value: at most 63 characters, alphanumerics, '-', '_' and '.', alphanumeric at both ends. */
    public static final String LABEL_VALUE = "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

    /**
     * Start a release. {@code batches} are replica counts ({@code batchUnit=replicas}, the default;
     * they must add up to the running replicas of each pool) or percentages ({@code percent}); with
     * {@code spanPools=true} one batch plan covers all pools in order. {@code replicas}: for an app
     * with no Deployment yet in a pool, create it there with this many replicas, in batches. What the canary's pod
     * template changes beyond its containers: {@code rackSpread} (spread over racks: {@code preferred}, {@code required},
     * {@code none} to remove it), {@code trafficGate} (the {@code noah.io/in-traffic} readiness gate, so its pods can be taken
     * out of traffic), {@code appType} (the health checks of a configured app type on the released containers).
     */
    @Schema(name = "ReleaseCreate")
    public record Create(
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = LABEL_VALUE) String app,
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = ClusterRequests.DNS_LABEL) String namespace,
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = LABEL_VALUE) String version,
            @NotEmpty @Size(max = 20) Map<String, @NotBlank @Size(min = 1, max = 512) String> images,
            @Size(max = 20) Map<String, Map<String, String>> env,
            @Size(max = 20) Map<String, Map<String, Map<String, String>>> resources,
            @NotEmpty @Size(max = 20) List<@NotBlank String> pools,
            @NotEmpty @Size(max = 50) List<@NotNull @Min(1) @Max(10_000) Integer> batches,
            @Schema(allowableValues = {"replicas", "percent"}) @Pattern(regexp = "replicas|percent") String batchUnit,
            Boolean spanPools,
            @Schema(allowableValues = {"manual", "auto"}) @Pattern(regexp = "manual|auto") String gate,
            @Min(0) @Max(86_400) Integer autoGateAfterSeconds,
            @Min(5) @Max(86_400) Integer batchDeadlineSeconds,
            @Schema(allowableValues = {"pause", "rollback"}) @Pattern(regexp = "pause|rollback") String onDeadline,
            @Min(0) @Max(86_400) Integer deleteOldAfterSeconds,
            @Min(1) @Max(10_000) Integer replicas,
            @Schema(allowableValues = {"none", "preferred", "required"}) @Pattern(regexp = "none|preferred|required") String rackSpread,
            Boolean trafficGate,
            @Size(min = 1, max = 63) @Schema(pattern = LABEL_VALUE) String appType,
            @Size(max = 1000) String reason) {
    }

    /** A gate action: promote, pause, resume, abort, rollback ({@code fast}: everything back in one step). */
    @Schema(name = "ReleaseAction")
    public record Action(@Size(max = 1000) String reason, Boolean fast) {
    }
}
