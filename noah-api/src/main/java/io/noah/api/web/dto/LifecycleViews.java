package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies of the lifecycle helpers: traffic, isolation, maintenance PDBs, rack spread, app types. */
public final class LifecycleViews {

    private LifecycleViews() {
    }

    /** A pod's entry in an EndpointSlice: {@code ready} false means no traffic through that Service. */
    @Schema(name = "EndpointEntry")
    public record Endpoint(@Nullable String service, String slice, boolean ready) {
    }

    /**
     * A pod's traffic state as read back from the cluster. {@code verified}: the change was seen take effect (the pod's
     * Ready condition and every EndpointSlice entry) within the verification time, after {@code waitedMillis}.
     */
    @Schema(name = "PodTraffic")
    public record Traffic(String cluster, String namespace, String pod, String uid, boolean inTraffic, boolean ready,
                          List<Endpoint> endpoints, boolean verified, long waitedMillis, int restarts, @Nullable Integer weight) {
    }

    /** A pod's traffic weight (annotation {@code noah.io/traffic-weight}; null: none set, the load balancer's default). */
    @Schema(name = "PodTrafficWeight")
    public record Weight(String cluster, String node, String namespace, String pod, @Nullable String app, @Nullable Integer weight) {
    }

    /** A weight change read back: {@code applied} when the API server has the new value. */
    @Schema(name = "TrafficWeightChange")
    public record WeightChange(String cluster, String namespace, String pod, @Nullable String node, @Nullable Integer before,
                               @Nullable Integer after, boolean applied, @Nullable String error) {
    }

    @Schema(name = "TrafficWeightChanges")
    public record WeightChanges(int pods, int applied, List<WeightChange> items) {
    }

    /**
     * An isolation: the Deployment the pod came from, when it will be deleted, its original labels, and whether the
     * Deployment was seen back at its ready replicas without it ({@code replaced}; {@code deploymentReady}: the ready pods its
     * selector selects, the isolated one not counted).
     */
    @Schema(name = "PodIsolation")
    public record Isolation(String cluster, String namespace, String pod, String deployment, Instant expiresAt,
                            Map<String, String> originalLabels, boolean replaced, int deploymentReplicas, int deploymentReady,
                            List<Endpoint> endpoints, long waitedMillis) {
    }

    @Schema(name = "IsolatedPod")
    public record IsolatedPod(String cluster, String namespace, String pod, @Nullable String deployment, @Nullable String node,
                              @Nullable Instant expiresAt, boolean running) {
    }

    /** An isolated pod deleted at once: {@code deleted} false when it was gone already. */
    @Schema(name = "IsolatedPodDeletion")
    public record Deletion(String cluster, String namespace, String pod, boolean deleted) {
    }

    /**
     * One Deployment of a maintenance: {@code create} (dry run), {@code created}, {@code exists} (this maintenance's
     * PDB is there), {@code covered} (an existing PDB selects its pod template: skipped), {@code overlap} (an existing
     * PDB selects some of its pods: refused), {@code error}. {@code maxUnavailable}/{@code minHealthy}: what the
     * budget means for its replicas, as the disruption controller computes it.
     */
    @Schema(name = "MaintenancePdbItem")
    public record PdbItem(String cluster, String namespace, @Nullable String deployment,
                          @Schema(allowableValues = {"create", "created", "exists", "covered", "overlap", "error"}) String action,
                          @Nullable String pdb, List<String> existing, int replicas, int maxUnavailable, int minHealthy,
                          @Nullable String detail) {
    }

    @Schema(name = "MaintenancePdbPlan")
    public record PdbPlan(String id, boolean dryRun, String maxUnavailable, Map<String, Integer> counts, List<PdbItem> items) {
    }

    /** A maintenance PDB with the disruption controller's figures. */
    @Schema(name = "MaintenancePdb")
    public record Pdb(String cluster, String namespace, String name, @Nullable String deployment, @Nullable String maxUnavailable,
                      int expectedPods, int currentHealthy, int desiredHealthy, int disruptionsAllowed) {
    }

    @Schema(name = "MaintenancePdbs")
    public record Pdbs(String id, List<Pdb> items) {
    }

    /** Per cluster: deleted, still there after (-1: unknown) and the error when the cluster did not answer. */
    @Schema(name = "MaintenancePdbRemovalCluster")
    public record RemovalCluster(String cluster, int deleted, int remaining, @Nullable String error) {
    }

    @Schema(name = "MaintenancePdbRemoval")
    public record Removal(String id, int deleted, boolean complete, List<RemovalCluster> clusters) {
    }

    @Schema(name = "RackSpreadApp")
    public record SpreadApp(String cluster, String namespace, String app, int pods, List<String> racks, int possible) {
    }

    @Schema(name = "NodeRef")
    public record NodeRef(String cluster, String name) {
    }

    /** Racks with schedulable nodes per cluster; apps on fewer racks than they could be; nodes without the rack label. */
    @Schema(name = "RackSpreadReport")
    public record RackSpread(String rackLabel, Map<String, List<String>> racks, List<SpreadApp> underSpread, List<NodeRef> nodesWithoutRack) {
    }

    @Schema(name = "ProbeTemplate")
    public record Probe(@Schema(allowableValues = {"http", "tcp", "exec"}) String type, @Nullable String path, @Nullable Integer port,
                        @Nullable List<String> command, @Nullable Integer initialDelaySeconds, @Nullable Integer periodSeconds,
                        @Nullable Integer timeoutSeconds, @Nullable Integer failureThreshold) {
    }

    @Schema(name = "AppType")
    public record AppType(String name, @Nullable Probe readiness, @Nullable Probe liveness, @Nullable Probe startup) {
    }

    /**
     * One Deployment of an app and its health checks: the app type it was released with (null: none), whether that type
     * is still configured, and whether its pods pass (ready of total, from the caches).
     */
    @Schema(name = "AppHealthDeployment")
    public record HealthDeployment(String cluster, String namespace, String deployment, @Nullable String appType, boolean typeKnown,
                                   int replicas, int pods, int readyPods, boolean passing) {
    }

    @Schema(name = "AppHealth")
    public record AppHealth(String app, List<HealthDeployment> deployments) {
    }

    @Schema(name = "NodeLabelResult")
    public record NodeLabels(String cluster, String node, Map<String, String> added, Map<String, String> changed, List<String> removed,
                             @Nullable String error) {
    }

    @Schema(name = "CmdbEntry")
    public record CmdbEntry(@Nullable String cluster, String node, Map<String, String> labels) {
    }

    @Schema(name = "RefusedLabel")
    public record RefusedLabel(String node, String key, String why) {
    }

    /**
     * A CMDB sync: per node the labels added, changed and removed (the API server's answer; on a dry run what it would
     * do), entries with no such node, nodes the CMDB does not know (untouched), labels refused.
     */
    @Schema(name = "NodeLabelReport")
    public record NodeLabelReport(String source, boolean dryRun, Instant at, int changedNodes, int errors, List<NodeLabels> nodes,
                                  List<CmdbEntry> unknownNodes, List<NodeRef> notInCmdb, List<RefusedLabel> refused) {
    }
}
