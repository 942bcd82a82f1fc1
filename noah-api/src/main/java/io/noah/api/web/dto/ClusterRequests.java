package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.util.Map;

/** Request bodies of the cluster registry. Exactly one connection: a kubeconfig, or server + token + CA. */
public final class ClusterRequests {

    private ClusterRequests() {
    }

    /** DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /** DNS-1123 subdomain (pod and Deployment names): as a label, with '.' too. */
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

    @Schema(name = "ClusterCreate", description = "Register a cluster: a kubeconfig (inline data only), or server + token + caCertificate")
    public record Create(
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = DNS_LABEL) String name,
            @NotBlank @Size(min = 1, max = 63) @Schema(pattern = DNS_LABEL) String idc,
            @Size(max = 63) @Schema(pattern = DNS_LABEL) String pool,
            @Size(max = 64) Map<String, String> labels,
            Boolean maintenance,
            @Size(max = 1_000_000) String kubeconfig,
            @Size(max = 253) String context,
            @Size(max = 2048) String server,
            @Size(max = 16_384) String token,
            @Size(max = 65_536) String caCertificate,
            @Size(max = 1000) String reason) {
    }

    @Schema(name = "ClusterPatch", description = "Change a cluster; absent fields stay. Declared clusters: maintenance, pool and labels only")
    public record Patch(
            @Size(min = 1, max = 63) @Schema(pattern = DNS_LABEL) String idc,
            @Size(min = 1, max = 63) @Schema(pattern = DNS_LABEL) String pool,
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
