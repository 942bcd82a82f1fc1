package io.noah.api.web.dto;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.util.Map;

/** Request bodies of the cluster registry. Exactly one connection: a kubeconfig, or server + token + CA. */
public final class ClusterRequests {

    private ClusterRequests() {
    }

    public record Create(
            @NotBlank @Size(max = 63) String name,
            @NotBlank @Size(max = 63) String idc,
            @Size(max = 63) String pool,
            @Size(max = 64) Map<String, String> labels,
            Boolean maintenance,
            @Size(max = 1_000_000) String kubeconfig,
            @Size(max = 253) String context,
            @Size(max = 2048) String server,
            @Size(max = 16_384) String token,
            @Size(max = 65_536) String caCertificate,
            @Size(max = 1000) String reason) {
    }

    public record Patch(
            @Size(min = 1, max = 63) String idc,
            @Size(min = 1, max = 63) String pool,
            @Size(max = 64) Map<String, String> labels,
            Boolean maintenance,
            @Size(max = 1_000_000) String kubeconfig,
            @Size(max = 253) String context,
            @Size(max = 2048) String server,
            @Size(max = 16_384) String token,
            @Size(max = 65_536) String caCertificate,
            @Size(max = 1000) String reason) {
    }
}
