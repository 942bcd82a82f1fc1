package io.noah.cluster.query;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Queries across every cluster's cache; never a live LIST. Results come in a stable order
 * (cluster name, then namespace/name) and are paged with an opaque continue token.
 */
public final class Inventory {

    public static final int MAX_LIMIT = 5000;

    private final ClusterRegistry registry;

    public Inventory(ClusterRegistry registry) {
        this.registry = registry;
    }

    public Page<PodRecord> pods(PodFilter f, int limit, String continueToken) {
        checkLimit(limit);
        requireKnown(f.clusters());
        Predicate<PodRecord> match = p -> (f.app() == null || f.app().equals(p.app()))
                && (f.node() == null || f.node().equals(p.nodeName()))
                && (f.ip() == null || f.ip().equals(p.podIP()))
                && (f.phase() == null || f.phase().equalsIgnoreCase(p.phase()))
                && (f.ready() == null || f.ready() == p.ready())
                && f.selector().matches(p.labels());
        return page(f.clusters(), f.idc(), f.namespace(), f.fingerprint(), limit, continueToken,
                h -> f.ip() != null ? byKeys(h.cache().pods().records(), h.cache().podKeysWithIp(f.ip()))
                        : h.cache().pods().records(), match);
    }

    public Page<DeploymentRecord> deployments(DeploymentFilter f, int limit, String continueToken) {
        checkLimit(limit);
        requireKnown(f.clusters());
        Predicate<DeploymentRecord> match = d -> (f.app() == null || f.app().equals(d.app())) && f.selector().matches(d.labels());
        return page(f.clusters(), f.idc(), f.namespace(), f.fingerprint(), limit, continueToken,
                h -> h.cache().deployments().records(), match);
    }

    public List<NodeRecord> nodes(Set<String> clusters, LabelSelector selector) {
        requireKnown(clusters);
        List<NodeRecord> out = new ArrayList<>();
        for (ClusterHandle h : registry.all()) {
            if (clusters == null || clusters.contains(h.name())) {
                for (NodeRecord n : h.cache().nodes().records().values()) {
                    if (selector.matches(n.labels())) {
                        out.add(n);
                    }
                }
            }
        }
        return out;
    }

    /** One pod by cluster, namespace and name. */
    public PodRecord pod(String cluster, String namespace, String name) {
        PodRecord p = registry.require(cluster).cache().pods().record(namespace + "/" + name);
        if (p == null) {
            throw new NoahException(NoahException.Reason.NOT_FOUND,
                    "pod " + namespace + "/" + name + " is not in cluster " + cluster + "'s cache");
        }
        return p;
    }

    private static <R> NavigableMap<String, R> byKeys(NavigableMap<String, R> records, Set<String> keys) {
        TreeMap<String, R> out = new TreeMap<>();
        for (String k : keys) {
            R r = records.get(k);
            if (r != null) {
                out.put(k, r);
            }
        }
        return out;
    }

    private <R> Page<R> page(Set<String> clusters, String idc, String namespace, int fingerprint, int limit,
                             String continueToken, Function<ClusterHandle, NavigableMap<String, R>> source,
                             Predicate<R> match) {
        ContinueToken from = continueToken == null || continueToken.isBlank() ? null : ContinueToken.decode(continueToken, fingerprint);
        List<R> items = new ArrayList<>(Math.min(limit, 1024));
        String lastCluster = null;
        String lastKey = null;
        for (ClusterHandle h : registry.all()) {
            if (clusters != null && !clusters.contains(h.name())) {
                continue;
            }
            if (idc != null && !idc.equals(h.spec().idc())) {
                continue;
            }
            if (from != null && h.name().compareTo(from.cluster()) < 0) {
                continue;
            }
            NavigableMap<String, R> records = window(source.apply(h), namespace,
                    from != null && h.name().equals(from.cluster()) ? from.key() : null);
            for (Map.Entry<String, R> e : records.entrySet()) {
                if (match.test(e.getValue())) {
                    if (items.size() == limit) {
                        // there is more: the next page starts after the last item returned
                        return new Page<>(items, new ContinueToken(lastCluster, lastKey, fingerprint).encode());
                    }
                    items.add(e.getValue());
                    lastCluster = h.name();
                    lastKey = e.getKey();
                }
            }
        }
        return new Page<>(items, null);
    }

    /**
     * The records of one namespace (all when null) after {@code afterKey} (all when null). A key from a
     * continue token may lie outside the namespace (a token crafted by hand): before it, the whole namespace
     * follows; after it, nothing does. Never an exception.
     */
    static <R> NavigableMap<String, R> window(NavigableMap<String, R> records, String namespace, String afterKey) {
        String lo = namespace == null ? null : namespace + "/";
        String hi = namespace == null ? null : namespace + "/\uffff";
        boolean loInclusive = true;
        if (afterKey != null && (lo == null || afterKey.compareTo(lo) >= 0)) {
            lo = afterKey;
            loInclusive = false;
        }
        if (lo == null) {
            return records;
        }
        if (hi == null) {
            return records.tailMap(lo, loInclusive);
        }
        return lo.compareTo(hi) > 0 ? java.util.Collections.emptyNavigableMap() : records.subMap(lo, loInclusive, hi, true);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw NoahException.invalid(NoahException.Reason.INVALID_LIMIT, "limit",
                    "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    private void requireKnown(Set<String> clusters) {
        if (clusters != null) {
            clusters.forEach(registry::require);
        }
    }
}
