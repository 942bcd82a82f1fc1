package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies: Noah's own records, never fabric8 objects. */
public final class Views {

    private Views() {
    }

    public record ClusterStatus(boolean reachable, @Nullable String kubernetesVersion, int nodes, int pods, int deployments,
                                boolean cacheSynced, boolean watching, boolean stale, @Nullable Instant lastEventAt,
                                @Nullable Instant probedAt, @Nullable String error) {
    }

    /** How Noah connects, without any secret. */
    public record Connection(@Schema(allowableValues = {"kubeconfig", "token"}) String kind, @Nullable String server,
                             @Nullable String context) {
    }

    public record Cluster(String name, String idc, String pool, Map<String, String> labels, boolean maintenance,
                          @Schema(allowableValues = {"api", "config"}) String source, Connection connection, ClusterStatus status) {
    }

    /** Per-cluster freshness of the cached data a response was built from. */
    public record Freshness(String cluster, boolean reachable, boolean synced, boolean stale, @Nullable Instant lastEventAt) {
    }

    public record Page<T>(List<T> items, @Nullable String continueToken, List<Freshness> clusters) {
    }

    public record Pod(String cluster, @Nullable String idc, String namespace, String name, @Nullable String app,
                      Map<String, String> labels, @Nullable String node, @Nullable String ip, @Nullable String hostIP,
                      @Schema(allowableValues = {"Pending", "Running", "Succeeded", "Failed", "Unknown"}) @Nullable String phase,
                      boolean ready, int restarts, @Nullable String ownerKind, @Nullable String ownerName,
                      @Nullable Instant createdAt, boolean terminating) {
    }

    public record Deployment(String cluster, @Nullable String idc, String namespace, String name, @Nullable String app,
                             Map<String, String> labels, int replicas, int readyReplicas, int updatedReplicas,
                             int availableReplicas, long generation, long observedGeneration, List<String> images,
                             @Nullable Instant createdAt) {
    }

    public record Node(String cluster, String name, Map<String, String> labels, boolean ready, boolean unschedulable,
                       @Nullable String internalIP, @Nullable String podCIDR, @Nullable String cpu, @Nullable String memory,
                       @Nullable String kubeletVersion) {
    }

    public record AppDeployment(String namespace, String name, int replicas, int readyReplicas, List<String> images) {
    }

    public record AppInCluster(String cluster, String idc, List<AppDeployment> deployments, int pods, int readyPods) {
    }

    public record App(String app, int pods, int readyPods, List<AppInCluster> clusters) {
    }

    public record Scaled(String cluster, String namespace, String name, int previousReplicas, int replicas) {
    }

    public record Token(String id, String name, @Schema(allowableValues = {"ADMIN", "OPS", "DEVELOPER", "VIEWER"}) String role, List<String> apps, String createdBy, Instant createdAt,
                        @Nullable Instant revokedAt) {
    }

    /** Returned once, at creation: the only time the token itself is shown. */
    public record CreatedToken(String id, String name, @Schema(allowableValues = {"ADMIN", "OPS", "DEVELOPER", "VIEWER"}) String role, List<String> apps, String token) {
    }

    public record AuditEvent(long id, Instant at, String actor, String action, @Nullable String target, int outcome,
                             @Nullable String reason) {
    }

    /** Who the caller is signed in as; {@code expiresAt} and {@code csrfToken} for a session cookie only. */
    public record SessionView(String actor, @Schema(allowableValues = {"ADMIN", "OPS", "DEVELOPER", "VIEWER"}) String role,
                              List<String> apps, @Schema(allowableValues = {"session", "token"}) String via,
                              @Nullable Instant expiresAt, @Nullable String csrfToken) {
    }
}
