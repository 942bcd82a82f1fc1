package io.noah.api.web.dto;

import io.noah.api.security.Role;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

public final class OtherRequests {

    private OtherRequests() {
    }

    @Schema(name = "ScaleRequest")
    public record Scale(@NotNull @Min(0) @Max(10_000) Integer replicas, @Size(max = 1000) String reason) {
    }

    @Schema(name = "TokenCreate")
    public record CreateToken(@NotBlank @Size(min = 1, max = 100) String name, @NotNull Role role,
                              @Size(max = 100) List<@NotBlank @Size(min = 1, max = 63) String> apps) {
    }

    /** Sign in to the web pages with an API token. */
    public record SignIn(@jakarta.validation.constraints.NotBlank @Size(max = 200) String token) {
    }
}
