package io.noah.api.web.dto;

import io.noah.api.security.Role;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.Set;

public final class OtherRequests {

    private OtherRequests() {
    }

    public record Scale(@NotNull @Min(0) @Max(10_000) Integer replicas, @Size(max = 1000) String reason) {
    }

    public record CreateToken(@NotBlank @Size(max = 100) String name, @NotNull Role role,
                              @Size(max = 100) Set<@NotBlank @Size(max = 63) String> apps) {
    }
}
