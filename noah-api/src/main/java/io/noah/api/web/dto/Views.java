package io.noah.api.web.dto;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies: Noah's own records, never fabric8 objects. */
public final class Views {

    private Views() {
    }

    public record ClusterStatus(boolean reachable, String kubernetesVersion, int nodes, int pods, int deployments,
                                boolean cacheSynced, boolean watching, boolean stale, Instant lastEventAt,
                                Instant probedAt, String error) {
    }

    /** How Noah connects, without any secret. */
    public record Connection(String kind, String server, String context) {
    }

    public record Cluster(String name, String idc, String pool, Map<String, String> labels, boolean maintenance,
                          String source, Connection connection, ClusterStatus status) {
    }

    /** Per-cluster freshness of the cached data a response was built from. */
    public record Freshness(String cluster, boolean reachable, boolean synced, boolean stale, Instant lastEventAt) {
    }

    public record Page<T>(List<T> items, String continueToken, List<Freshness> clusters) {
    }

    public record Pod(String cluster, String idc, String namespace, String name, String app, Map<String, String> labels,
                      String node, String ip, String hostIP, String phase, boolean ready, int restarts,
                      String ownerKind, String ownerName, Instant createdAt, boolean terminating) {
    }

    public record Deployment(String cluster, String idc, String namespace, String name, String app,
                             Map<String, String> labels, int replicas, int readyReplicas, int updatedReplicas,
                             int availableReplicas, long generation, long observedGeneration, List<String> images,
                             Instant createdAt) {
    }

    public record Node(String cluster, String name, Map<String, String> labels, boolean ready, boolean unschedulable,
                       String internalIP, String podCIDR, String cpu, String memory, String kubeletVersion) {
    }

    public record AppDeployment(String namespace, String name, int replicas, int readyReplicas, List<String> images) {
    }

    public record AppInCluster(String cluster, String idc, List<AppDeployment> deployments, int pods, int readyPods) {
    }

    public record App(String app, int pods, int readyPods, List<AppInCluster> clusters) {
    }

    public record Scaled(String cluster, String namespace, String name, int previousReplicas, int replicas) {
    }

    public record Token(String id, String name, String role, List<String> apps, String createdBy, Instant createdAt,
                        Instant revokedAt) {
    }

    /** Returned once, at creation: the only time the token itself is shown. */
    public record CreatedToken(String id, String name, String role, List<String> apps, String token) {
    }

    public record AuditEvent(long id, Instant at, String actor, String action, String target, int outcome, String reason) {
    }
}
