package io.noah.cluster.query;

import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.registry.ClusterHandle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How apps spread over racks, from the caches: an app whose pods sit on fewer racks than they could (the
 * pods' count or the cluster's racks with schedulable nodes, whichever is smaller) is listed, and so is every
 * node without a rack label. Schedulable: Ready, not cordoned, no NoSchedule/NoExecute taint.
 */
public final class RackSpread {

    /** An app's pods in one cluster and namespace: how many, the racks they are on, the racks they could be on. */
    public record App(String cluster, String namespace, String app, int pods, List<String> racks, int possible) {
    }

    public record Node(String cluster, String name) {
    }

    /** Per cluster its racks with schedulable nodes; the apps spread less than they could; nodes without the label. */
    public record Report(String rackLabel, Map<String, List<String>> racks, List<App> underSpread, List<Node> nodesWithoutRack) {
    }

    private RackSpread() {
    }

    public static Report of(List<ClusterHandle> clusters, String rackLabel) {
        Map<String, List<String>> racks = new TreeMap<>();
        List<App> under = new ArrayList<>();
        List<Node> unlabelled = new ArrayList<>();
        for (ClusterHandle h : clusters) {
            Map<String, String> rackOf = new HashMap<>();
            TreeSet<String> schedulable = new TreeSet<>();
            for (NodeRecord n : h.cache().nodes().records().values()) {
                String rack = n.labels().get(rackLabel);
                if (rack == null || rack.isEmpty()) {
                    unlabelled.add(new Node(h.name(), n.name()));
                    continue;
                }
                rackOf.put(n.name(), rack);
                if (n.ready() && !n.unschedulable() && !n.tainted()) {
                    schedulable.add(rack);
                }
            }
            racks.put(h.name(), List.copyOf(schedulable));
            Map<String, List<PodRecord>> byApp = new TreeMap<>();
            for (PodRecord p : h.cache().pods().records().values()) {
                if (p.app() != null && p.nodeName() != null && !p.terminating() && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase())) {
                    byApp.computeIfAbsent(p.namespace() + "/" + p.app(), k -> new ArrayList<>()).add(p);
                }
            }
            byApp.forEach((key, pods) -> {
                TreeSet<String> used = new TreeSet<>();
                for (PodRecord p : pods) {
                    String rack = rackOf.get(p.nodeName());
                    if (rack != null) {
                        used.add(rack);
                    }
                }
                int possible = Math.min(pods.size(), schedulable.size());
                if (used.size() < possible) {
                    under.add(new App(h.name(), pods.getFirst().namespace(), pods.getFirst().app(), pods.size(), List.copyOf(used), possible));
                }
            });
        }
        under.sort(Comparator.comparing(App::cluster).thenComparing(App::namespace).thenComparing(App::app));
        unlabelled.sort(Comparator.comparing(Node::cluster).thenComparing(Node::name));
        return new Report(rackLabel, racks, under, unlabelled);
    }
}
