package io.noah.release;

import io.noah.cluster.registry.ClusterRegistry;

import java.util.Optional;

/**
 * What the reconciler reads about a pool without calling its API server: whether it is in maintenance, and a
 * Deployment as the pool's read cache has it (may lag). In production {@link #of(ClusterRegistry)}.
 */
public interface PoolView {

    /** A Deployment as cached: its replicas and {@link io.noah.cluster.cache.TemplatePrint#hash()} of its pod template. */
    record Cached(int replicas, String templateHash) {
    }

    boolean maintenance(String pool);

    Optional<Cached> cached(String pool, String namespace, String name);

    static PoolView of(ClusterRegistry registry) {
        return new PoolView() {
            @Override
            public boolean maintenance(String pool) {
                return registry.require(pool).spec().maintenance();
            }

            @Override
            public Optional<Cached> cached(String pool, String namespace, String name) {
                var d = registry.require(pool).cache().deployments().record(namespace + "/" + name);
                return d == null ? Optional.empty() : Optional.of(new Cached(d.replicas(), d.templateHash()));
            }
        };
    }
}
