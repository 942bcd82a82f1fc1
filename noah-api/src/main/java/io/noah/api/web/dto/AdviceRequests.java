package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public final class AdviceRequests {

    private AdviceRequests() {
    }

    /** Start an advice run now; {@code windowDays}: the history to read (default: the configured window, 7 days). */
    @Schema(name = "AdviceRunRequest")
    public record RunRequest(@Min(1) @Max(30) Integer windowDays, @Size(max = 1000) String reason) {
    }

    /** Mark a piece of advice done or dismissed; the reason is kept with it and in the audit log. */
    @Schema(name = "AdviceMark")
    public record Mark(@NotBlank @Size(min = 1, max = 1000) String reason) {
    }
}
