package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;

public final class MigrationRequests {

    private MigrationRequests() {
    }

    static final String NAME = ClusterRequests.DNS_LABEL;

    @Schema(name = "MigrationApp")
    public record AppRef(@NotBlank @Size(max = 63) @Pattern(regexp = NAME) String namespace,
                         @NotBlank @Size(max = 63) @Schema(pattern = ReleaseRequests.LABEL_VALUE) @Pattern(regexp = ReleaseRequests.LABEL_VALUE) String app) {
    }

    /**
     * Move {@code apps} (or, with {@code allApps}, every app of {@code fromIdc}) to {@code toIdc} (its clusters, or
     * {@code toClusters}). {@code dryRun}: the plan and the fit check only (200).
     */
    @Schema(name = "MigrationRequest")
    public record Create(@Size(max = 500) List<@NotNull @Valid AppRef> apps, Boolean allApps,
                         @NotBlank @Size(max = 63) @Pattern(regexp = NAME) String fromIdc,
                         @NotBlank @Size(max = 63) @Pattern(regexp = NAME) String toIdc,
                         @Size(max = 20) List<@NotNull @Size(min = 1, max = 63) @Pattern(regexp = NAME) String> toClusters,
                         @Min(1) @Max(10_000) Integer batchSize, @Min(10) @Max(86_400) Integer batchDeadlineSeconds,
                         @Schema(allowableValues = {"pause", "rollback"}) @Pattern(regexp = "pause|rollback") String onDeadline,
                         @Min(1) @Max(100) Integer concurrency,
                         @Size(max = 500) List<@NotNull @Size(min = 1, max = 63) @Pattern(regexp = ReleaseRequests.LABEL_VALUE) String> priority,
                         @Size(min = 1, max = 253) @Pattern(regexp = "^[a-zA-Z0-9]([-a-zA-Z0-9_./]*[a-zA-Z0-9])?$") String priorityLabel,
                         Boolean force, Boolean dryRun, @Size(max = 1000) String reason) {
    }

    @Schema(name = "MigrationAction")
    public record Action(@Size(max = 1000) String reason) {
    }

}
