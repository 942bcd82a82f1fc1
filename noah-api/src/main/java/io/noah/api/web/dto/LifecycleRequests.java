package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import java.util.List;

public final class LifecycleRequests {

    private LifecycleRequests() {
    }

    /**
     * Sets the traffic weight of every pod on the chosen nodes of one cluster: {@code nodes} by name and/or
     * {@code nodeSelector} (a label selector on the nodes, e.g. {@code rack=rack-1}); only one namespace's pods with {@code namespace}.
     */
    @Schema(name = "TrafficWeightRequest")
    public record Weights(@NotBlank @Size(max = 253) String cluster, @Size(max = 1000) List<@NotBlank @Size(max = 253) String> nodes,
                          @Size(max = 4096) String nodeSelector, @Size(max = 63) String namespace,
                          @jakarta.validation.constraints.NotNull @Min(0) @Max(100) Integer weight,
                          @Size(max = 1000) String reason) {
    }

    @Schema(name = "ReasonRequest")
    public record Reasoned(@Size(max = 1000) String reason) {
    }

    /** {@code ttlSeconds}: when the isolated pod is deleted (default {@code noah.lifecycle.isolation.default-ttl}). */
    @Schema(name = "IsolateRequest")
    public record Isolate(@Min(10) @Max(31_536_000) Long ttlSeconds, @Size(max = 1000) String reason) {
    }

    /** Deletes every isolated pod, or those of a cluster and/or namespace. */
    @Schema(name = "IsolatedPodsDeleteRequest")
    public record DeleteIsolated(@Size(max = 253) String cluster, @Size(max = 63) String namespace, @Size(max = 1000) String reason) {
    }

    /**
     * PDBs for a maintenance: one per Deployment of the scope (clusters, namespaces: empty for all; a label selector on
     * the Deployments' labels), {@code maxUnavailable} a count or a percentage (default {@code noah.lifecycle.pdb-max-unavailable}).
     */
    @Schema(name = "MaintenancePdbRequest")
    public record MaintenancePdb(@NotBlank @Size(min = 1, max = 40) @Schema(pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$") String id,
                                 @Size(max = 50) List<@NotBlank @Size(max = 253) String> clusters,
                                 @Size(max = 200) List<@NotBlank @Size(max = 63) String> namespaces,
                                 @Size(max = 4096) String selector,
                                 @Size(max = 8) @Schema(pattern = "^[0-9]{1,5}%?$") String maxUnavailable,
                                 Boolean dryRun, @Size(max = 1000) String reason) {
    }

    @Schema(name = "CmdbEntryRequest")
    public record CmdbEntry(@Size(max = 253) String cluster, @NotBlank @Size(max = 253) String node,
                            @Size(max = 100) java.util.Map<@NotBlank @Size(max = 317) String, @Size(max = 63) String> labels) {
    }

    /** Node labels pushed by a CMDB: each node's complete set of CMDB labels (labels it no longer lists are pruned). */
    @Schema(name = "NodeLabelsPush")
    public record NodeLabelsPush(@jakarta.validation.constraints.NotNull @Size(max = 100_000) List<@jakarta.validation.constraints.NotNull @jakarta.validation.Valid CmdbEntry> nodes,
                                 Boolean dryRun, @Size(max = 1000) String reason) {
    }

    @Schema(name = "NodeLabelsPull")
    public record NodeLabelsPull(Boolean dryRun, @Size(max = 1000) String reason) {
    }

    /**
     * A bulk node operation over nodes chosen by {@code clusters} (empty: all), {@code nodes} (names) and/or
     * {@code nodeSelector}: {@code concurrency} nodes at once overall, {@code perCluster} in one cluster, nodes of at most
     * {@code racks} racks at once; a drain evicts through the Eviction API ({@code force}: also pods no controller
     * manages; {@code deleteLocalData}: also pods with emptyDir), {@code uncordonAfter} makes a drained node schedulable
     * again. {@code dryRun}: the preflight only.
     */
    @Schema(name = "NodeOperationRequest")
    public record NodeOperation(@jakarta.validation.constraints.NotNull @Schema(allowableValues = {"cordon", "uncordon", "drain"})
                                @jakarta.validation.constraints.Pattern(regexp = "cordon|uncordon|drain") String action,
                                @Size(max = 50) List<@NotBlank @Size(max = 253) String> clusters,
                                @Size(max = 5000) List<@NotBlank @Size(max = 253) String> nodes,
                                @Size(max = 4096) String nodeSelector,
                                @Min(1) @Max(1000) Integer concurrency, @Min(1) @Max(1000) Integer perCluster, @Min(1) @Max(1000) Integer racks,
                                Boolean uncordonAfter, Boolean force, Boolean deleteLocalData,
                                @Min(10) @Max(604_800) Integer timeoutSeconds, Boolean dryRun, @Size(max = 1000) String reason) {
    }
}
