package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies of bulk node operations. */
public final class NodeOpViews {

    private NodeOpViews() {
    }

    /** Why a pod is not evicted (yet): a PDB with its figures, or a permanent reason (no controller, local data, two PDBs). */
    @Schema(name = "NodeOperationBlocker")
    public record Blocker(String namespace, String pod, String reason, @Nullable String pdb, @Nullable Integer disruptionsAllowed,
                          @Nullable Integer currentHealthy, @Nullable Integer desiredHealthy, boolean permanent) {
    }

    @Schema(name = "NodeOperationNode")
    public record Node(String cluster, String node, String rack,
                       @Schema(allowableValues = {"pending", "draining", "done", "blocked", "failed"}) String phase, int evicted,
                       List<Blocker> blocked, @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable String error) {
    }

    /** A bulk node operation and each node's progress ({@code counts}: nodes per phase). */
    @Schema(name = "NodeOperation")
    public record Operation(String id, @Schema(allowableValues = {"cordon", "uncordon", "drain"}) String action,
                            @Schema(allowableValues = {"running", "paused", "aborted", "succeeded", "failed", "timed_out"}) String state,
                            @Nullable String message, String createdBy, Instant createdAt, Instant updatedAt, @Nullable Instant finishedAt,
                            int concurrency, int perCluster, int racks, boolean uncordonAfter, boolean force, boolean deleteLocalData,
                            long timeoutSeconds, @Nullable String reason, Map<String, Integer> counts, List<Node> nodes) {
    }

    @Schema(name = "PreflightPod")
    public record Pod(String namespace, String pod, @Nullable String reason, @Nullable String pdb, @Nullable Integer disruptionsAllowed,
                      @Nullable Integer currentHealthy, @Nullable Integer desiredHealthy, long cpuMilli, long memoryBytes) {
    }

    /** Per node: the pods a drain evicts, those blocked (and why), those left alone (DaemonSet, mirror). */
    @Schema(name = "PreflightNode")
    public record PreflightNode(String cluster, String node, String rack, List<Pod> evict, List<Pod> blocked, List<Pod> skipped) {
    }

    /** Whether the pods to move fit on the cluster's other schedulable nodes: placeable of pods, and the shortfall. */
    @Schema(name = "PreflightCapacity")
    public record Capacity(String cluster, int pods, int placeable, long neededCpuMilli, long neededMemoryBytes, long freeCpuMilli,
                           long freeMemoryBytes, long shortCpuMilli, long shortMemoryBytes, boolean fits) {
    }

    @Schema(name = "NodeOperationPreflight")
    public record Preflight(String action, List<PreflightNode> nodes, List<Capacity> capacity) {
    }
}
