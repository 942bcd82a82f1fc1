package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Node labels from a CMDB, applied with server-side apply under Noah's own field manager: each node's apply holds
 * exactly the labels the CMDB gives it now, so the API server prunes only labels Noah applied before and the CMDB no
 * longer gives, and never takes a label another manager set (a different value is a conflict, reported, not
 * forced). The diff of each node is the API server's answer against the node before (a dry run answers the same
 * without writing). Only allow-listed keys reach Kubernetes; others are refused and reported.
 */
public final class NodeLabelSync {

    private static final Logger log = LoggerFactory.getLogger(NodeLabelSync.class);

    /** A CMDB entry: a node (in a cluster, or in any cluster when null) and the labels it should carry. */
    public record Entry(String cluster, String node, Map<String, String> labels) {
    }

    /** One node's outcome: labels added, changed (new values) and removed, or the error (e.g. a conflict). */
    public record NodeResult(String cluster, String node, Map<String, String> added, Map<String, String> changed,
                             List<String> removed, String error) {
        public boolean changedAnything() {
            return !added.isEmpty() || !changed.isEmpty() || !removed.isEmpty();
        }
    }

    /** A label the CMDB gave that Noah did not apply, and why. */
    public record Refused(String node, String key, String why) {
    }

    public record NodeRef(String cluster, String node) {
    }

    /**
     * A sync: per node of the CMDB its result; CMDB entries with no node in any cluster; nodes the CMDB does not know
     * (left untouched); refused labels.
     */
    public record Report(String source, boolean dryRun, Instant at, List<NodeResult> nodes, List<Entry> unknownNodes,
                         List<NodeRef> notInCmdb, List<Refused> refused) {
        public int changedNodes() {
            return (int) nodes.stream().filter(NodeResult::changedAnything).count();
        }

        public int errors() {
            return (int) nodes.stream().filter(n -> n.error() != null).count();
        }
    }

    private final ClusterRegistry registry;
    private final String fieldManager;
    private final Predicate<String> allowedKey;

    /** {@code allowed}: label keys, or prefixes ending in {@code *} ({@code cmdb.example.com/*}). */
    public NodeLabelSync(ClusterRegistry registry, String fieldManager, List<String> allowed) {
        this.registry = registry;
        this.fieldManager = fieldManager;
        List<String> exact = allowed.stream().filter(a -> !a.endsWith("*")).toList();
        List<String> prefixes = allowed.stream().filter(a -> a.endsWith("*")).map(a -> a.substring(0, a.length() - 1)).toList();
        for (String k : exact) {
            if (!LabelSelector.isValidKey(k)) {
                throw new IllegalArgumentException("not a label key: " + k);
            }
        }
        this.allowedKey = k -> exact.contains(k) || prefixes.stream().anyMatch(k::startsWith);
    }

    public Report sync(String source, List<Entry> entries, boolean dryRun) {
        List<Refused> refused = new ArrayList<>();
        // cluster (or "" for any) → node → labels, the allowed ones only
        Map<String, Map<String, Map<String, String>>> wanted = new TreeMap<>();
        for (Entry e : entries) {
            if (e.node() == null || e.node().isBlank()) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "node", "a CMDB entry without a node name");
            }
            if (e.cluster() != null && registry.get(e.cluster()).isEmpty()) {
                throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, "cluster", "cluster " + e.cluster() + " is not registered");
            }
            Map<String, String> labels = new TreeMap<>();
            (e.labels() == null ? Map.<String, String>of() : e.labels()).forEach((k, v) -> {
                if (!LabelSelector.isValidKey(k)) {
                    refused.add(new Refused(e.node(), k, "not a label key"));
                } else if (!allowedKey.test(k)) {
                    refused.add(new Refused(e.node(), k, "not in noah.nodes.cmdb.allowed-labels"));
                } else if (v == null || !LabelSelector.isValidValue(v)) {
                    refused.add(new Refused(e.node(), k, "not a label value: " + v));
                } else {
                    labels.put(k, v);
                }
            });
            wanted.computeIfAbsent(e.cluster() == null ? "" : e.cluster(), c -> new TreeMap<>())
                    .merge(e.node(), labels, (a, b) -> { a.putAll(b); return a; });
        }
        List<NodeResult> results = new ArrayList<>();
        List<NodeRef> notInCmdb = new ArrayList<>();
        Set<String> matched = new HashSet<>();
        List<ClusterHandle> clusters = registry.all().stream().sorted(Comparator.comparing(ClusterHandle::name)).toList();
        for (ClusterHandle h : clusters) {
            Map<String, Map<String, String>> own = new TreeMap<>(wanted.getOrDefault("", Map.of()));
            own.putAll(wanted.getOrDefault(h.name(), Map.of()));
            for (NodeRecord n : h.cache().nodes().records().values()) {
                Map<String, String> labels = own.get(n.name());
                if (labels == null) {
                    notInCmdb.add(new NodeRef(h.name(), n.name()));
                    continue;
                }
                matched.add(h.name() + "/" + n.name());
                matched.add("/" + n.name());
                results.add(apply(h, n.name(), labels, dryRun));
            }
        }
        List<Entry> unknown = new ArrayList<>();
        wanted.forEach((cluster, nodes) -> nodes.forEach((node, labels) -> {
            if (!matched.contains(cluster + "/" + node)) {
                unknown.add(new Entry(cluster.isEmpty() ? null : cluster, node, labels));
            }
        }));
        results.sort(Comparator.comparing(NodeResult::cluster).thenComparing(NodeResult::node));
        Report r = new Report(source, dryRun, Instant.now(), results, unknown, notInCmdb, refused);
        log.info("node labels from {}{}: {} nodes, {} changed, {} errors, {} unknown, {} not in the CMDB, {} labels refused", source,
                dryRun ? " (dry run)" : "", results.size(), r.changedNodes(), r.errors(), unknown.size(), notInCmdb.size(), refused.size());
        return r;
    }

    private NodeResult apply(ClusterHandle h, String name, Map<String, String> labels, boolean dryRun) {
        try {
            KubernetesClient client = dryRun ? h.client() : h.clientForWrite();
            Node before = client.nodes().withName(name).get();
            if (before == null) {
                return new NodeResult(h.name(), name, Map.of(), Map.of(), List.of(), "the node is gone");
            }
            Node desired = new NodeBuilder().withApiVersion("v1").withKind("Node")
                    .withNewMetadata().withName(name).withLabels(labels.isEmpty() ? null : new LinkedHashMap<>(labels)).endMetadata().build();
            var op = client.nodes().resource(desired);
            Node after = (dryRun ? op.dryRun() : op).fieldManager(fieldManager).serverSideApply();
            return diff(h.name(), name, before.getMetadata().getLabels(), after.getMetadata().getLabels());
        } catch (KubernetesClientException e) {
            String why = e.getCode() == 409 ? "conflict: another manager set a different value: " + message(e) : Kubernetes.translate(h.name(), e).getMessage();
            return new NodeResult(h.name(), name, Map.of(), Map.of(), List.of(), why);
        } catch (NoahException e) {
            return new NodeResult(h.name(), name, Map.of(), Map.of(), List.of(), e.getMessage());
        }
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    static NodeResult diff(String cluster, String node, Map<String, String> before, Map<String, String> after) {
        Map<String, String> b = before == null ? Map.of() : before;
        Map<String, String> a = after == null ? Map.of() : after;
        Map<String, String> added = new TreeMap<>();
        Map<String, String> changed = new TreeMap<>();
        List<String> removed = new ArrayList<>();
        a.forEach((k, v) -> {
            if (!b.containsKey(k)) {
                added.put(k, v);
            } else if (!b.get(k).equals(v)) {
                changed.put(k, v);
            }
        });
        b.keySet().stream().filter(k -> !a.containsKey(k)).sorted().forEach(removed::add);
        return new NodeResult(cluster, node, added, changed, removed, null);
    }
}
