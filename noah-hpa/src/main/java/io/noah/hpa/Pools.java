package io.noah.hpa;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.ops.ScalerConflicts;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the autoscaler reads and writes in the pools: an app's Deployments and pods from the caches, other autoscalers
 * of its Deployments, and the live Deployment for an optimistic scale with its Kubernetes Event. In production
 * {@link #of}; in unit tests an in-memory fake.
 */
public interface Pools {

    /** An app in one pool as cached: its Deployments and its pods (not terminating). */
    record App(List<DeploymentRecord> deployments, List<PodRecord> pods) {
    }

    /** Why the pool's data cannot be trusted or written now (unknown, unreachable, cache not synced), or null. */
    String unavailable(String pool);

    App app(String pool, String namespace, String app);

    /** The names of the app's Deployments in a pool, read live (what a new policy is checked against). */
    List<String> liveDeployments(String pool, String namespace, String app);

    /** Kubernetes HPAs and KEDA ScaledObjects targeting one of {@code deployments}. */
    List<String> otherAutoscalers(String pool, String namespace, Set<String> deployments);

    Optional<DeploymentOps.Versioned> live(String pool, String namespace, String name);

    /** Optimistic: writes only if the Deployment is still at {@code resourceVersion} with {@code expected} replicas. */
    boolean scale(String pool, String namespace, String name, String resourceVersion, int expected, int replicas,
                  Map<String, String> annotations);

    void event(String pool, String namespace, String name, String uid, String type, String reason, String message);

    /** How many pods the namespace has in the pool (Noah's cache, this tick); unknown: {@link Integer#MAX_VALUE}. */
    default int podsInNamespace(String pool, String namespace) {
        return Integer.MAX_VALUE;
    }

    /** Called at the start of each tick: cached indexes are rebuilt once per tick, not per policy. */
    default void newTick() {
    }

    static Pools of(ClusterRegistry registry, DeploymentOps ops, ScalerConflicts conflicts) {
        return new Pools() {
            /** A pool's pods by "namespace/app" (not terminating) and its pod count per namespace: one pass, once per tick. */
            record PodIndex(Map<String, List<PodRecord>> byApp, Map<String, Integer> perNamespace) {
            }

            /** pool → its pod index, built on first use in a tick. */
            private final Map<String, PodIndex> pods = new ConcurrentHashMap<>();
            private final Map<String, Map<String, List<DeploymentRecord>>> deployments = new ConcurrentHashMap<>();

            @Override
            public void newTick() {
                pods.clear();
                deployments.clear();
            }

            @Override
            public String unavailable(String pool) {
                Optional<ClusterHandle> h = registry.get(pool);
                if (h.isEmpty()) {
                    return "pool " + pool + " is not registered";
                }
                if (h.get().stale()) {
                    var health = h.get().health();
                    return "pool " + pool + (health.reachable() ? "'s cache is not in sync" : " is unreachable"
                            + (health.error() == null ? "" : ": " + health.error()));
                }
                return null;
            }

            @Override
            public App app(String pool, String namespace, String app) {
                ClusterHandle h = registry.require(pool);
                String key = namespace + "/" + app;
                var byApp = index(pool, h).byApp();
                var deps = deployments.computeIfAbsent(pool, p -> {
                    Map<String, List<DeploymentRecord>> m = new HashMap<>();
                    for (DeploymentRecord r : h.cache().deployments().records().values()) {
                        if (r.app() != null) {
                            m.computeIfAbsent(r.namespace() + "/" + r.app(), k -> new ArrayList<>()).add(r);
                        }
                    }
                    return m;
                });
                return new App(deps.getOrDefault(key, List.of()), byApp.getOrDefault(key, List.of()));
            }

            private PodIndex index(String pool, ClusterHandle h) {
                return pods.computeIfAbsent(pool, p -> {
                    Map<String, List<PodRecord>> byApp = new HashMap<>();
                    Map<String, Integer> perNamespace = new HashMap<>();
                    for (PodRecord r : h.cache().pods().records().values()) {
                        perNamespace.merge(r.namespace(), 1, Integer::sum);
                        if (r.app() != null && !r.terminating()) {
                            byApp.computeIfAbsent(r.namespace() + "/" + r.app(), k -> new ArrayList<>()).add(r);
                        }
                    }
                    return new PodIndex(byApp, perNamespace);
                });
            }

            @Override
            public int podsInNamespace(String pool, String namespace) {
                Optional<ClusterHandle> h = registry.get(pool);
                return h.isEmpty() ? Integer.MAX_VALUE : index(pool, h.get()).perNamespace().getOrDefault(namespace, 0);
            }

            @Override
            public List<String> liveDeployments(String pool, String namespace, String app) {
                return ops.byApp(pool, namespace, registry.settings().appLabel(), app).stream().map(DeploymentOps.State::name).sorted().toList();
            }

            @Override
            public List<String> otherAutoscalers(String pool, String namespace, Set<String> names) {
                return conflicts.of(pool, namespace, names);
            }

            @Override
            public Optional<DeploymentOps.Versioned> live(String pool, String namespace, String name) {
                return ops.versioned(pool, namespace, name);
            }

            @Override
            public boolean scale(String pool, String namespace, String name, String resourceVersion, int expected, int replicas,
                                 Map<String, String> annotations) {
                return ops.scaleIfUnchanged(pool, namespace, name, resourceVersion, expected, replicas, annotations);
            }

            @Override
            public void event(String pool, String namespace, String name, String uid, String type, String reason, String message) {
                ops.event(pool, namespace, name, uid, type, reason, message, "noah-autoscaler");
            }
        };
    }
}
