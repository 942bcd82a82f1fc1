package io.noah.cluster.registry;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.cache.ClusterCache;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;

import java.time.Instant;

/**
 * A registered cluster at run time: its spec, its client and caches, and what the last health
 * probe found. The client never leaves noah-cluster's operation classes.
 */
public final class ClusterHandle {

    /** What the last probe of the API server found. */
    public record Health(boolean reachable, String kubernetesVersion, Instant probedAt, String error) {
        static final Health UNKNOWN = new Health(false, null, null, "not probed yet");
    }

    private volatile ClusterSpec spec;
    private final KubernetesClient client;
    private final ClusterCache cache;
    private volatile Health health = Health.UNKNOWN;

    ClusterHandle(ClusterSpec spec, KubernetesClient client, ClusterCache cache) {
        this.spec = spec;
        this.client = client;
        this.cache = cache;
    }

    public String name() {
        return spec.name();
    }

    public ClusterSpec spec() {
        return spec;
    }

    void spec(ClusterSpec s) {
        this.spec = s;
    }

    public ClusterCache cache() {
        return cache;
    }

    public Health health() {
        return health;
    }

    void health(Health h) {
        this.health = h;
    }

    public KubernetesClient client() {
        return client;
    }

    /**
     * The client for a write: 503 (cluster-unreachable) at once when the last probe failed. Before the
     * first probe (just registered) the write is tried: a failure then maps to 503 as well.
     */
    public KubernetesClient clientForWrite() {
        Health h = health;
        if (!h.reachable() && h.probedAt() != null) {
            throw new NoahException(NoahException.Reason.CLUSTER_UNREACHABLE,
                    "cluster " + name() + " is unreachable" + (h.error() == null ? "" : ": " + h.error()));
        }
        return client;
    }

    /** Cached data may be stale when the cluster is unreachable or a watch is down. */
    public boolean stale() {
        return !health.reachable() || !cache.synced() || !cache.watching();
    }
}
