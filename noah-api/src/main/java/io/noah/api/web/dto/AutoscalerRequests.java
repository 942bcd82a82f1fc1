package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

public final class AutoscalerRequests {

    private AutoscalerRequests() {
    }

    /**
     * An autoscaler policy: the app (its app label) in a namespace, per pool its replica bounds, the strategies with
     * their targets, optional tuning of the seed's rules, and the mode ({@code enforce}, the default, scales;
     * {@code observe} only records what it would do). The same body replaces a policy (PUT); app and namespace stay.
     */
    @Schema(name = "AutoscalerSpec")
    public record Spec(
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = ReleaseRequests.LABEL_VALUE) String app,
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = ClusterRequests.DNS_LABEL) String namespace,
            @NotEmpty @Size(max = 20) Map<String, @NotNull @Valid Bounds> pools,
            @NotEmpty @Size(max = 10) List<@NotNull @Valid Strategy> strategies,
            @Valid Tuning tuning,
            @Schema(allowableValues = {"observe", "enforce"}) @Pattern(regexp = "observe|enforce") String mode,
            @Size(max = 1000) String reason) {
    }

    /** Replicas of the app in one pool: never below {@code min}, never above {@code max}. */
    @Schema(name = "AutoscalerBounds")
    public record Bounds(@NotNull @Min(1) @Max(10_000) Integer min, @NotNull @Min(1) @Max(10_000) Integer max) {
    }

    /**
     * {@code cpu} and {@code memory}: utilisation of the pods' requests ({@code target} 0.6 = 60 %); {@code io}: disk plus
     * network bytes per second per pod; {@code custom}: {@code query} is a PromQL template with {@code $pods} (and
     * optionally {@code $cluster}, {@code $namespace}, {@code $window}) giving a value per pod, {@code target} per pod.
     */
    @Schema(name = "AutoscalerStrategy")
    public record Strategy(@NotBlank @Size(min = 1, max = 31) @Schema(pattern = "^[a-z][a-z0-9-]*$") String name,
                           @NotNull @Schema(allowableValues = {"cpu", "memory", "io", "custom"}) @Pattern(regexp = "cpu|memory|io|custom") String type,
                           @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("1.0E12") Double target,
                           @Size(min = 1, max = 2000) String query) {
    }

    /** Overrides of the seed's rules; absent fields keep the defaults (5 %, 5 %, 180 s, 300 s, 1.4, +4 pods, +100 %). */
    @Schema(name = "AutoscalerTuning")
    public record Tuning(@DecimalMin("0") @DecimalMax("0.5") Double toleranceUp, @DecimalMin("0") @DecimalMax("0.5") Double toleranceDown,
                         @Min(0) @Max(3600) Integer upCooldownSeconds, @Min(0) @Max(3600) Integer downCooldownSeconds,
                         @DecimalMin("1.0") @DecimalMax("100") Double frustration,
                         @Min(1) @Max(10_000) Integer upLimitPods, @Min(1) @Max(10_000) Integer upLimitPercent) {
    }

    /** Switch between observe and enforce, or delete: why (audited). */
    @Schema(name = "AutoscalerAction")
    public record Action(@Size(max = 1000) String reason) {
    }
}
