package io.noah.release.migrate;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.nodeops.NodeDrainer;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a migration request into moves and checks, before anything moves, that the pods fit in the target: per
 * target cluster the pods' requests against what its schedulable, Ready nodes have free (allocatable minus the
 * requests of the pods there), node selectors and taints respected ({@link NodeDrainer#capacity}), so the answer is
 * "placeable N of M, short by X CPU / Y memory in cluster C"; and the blockers that stop a move whatever the room.
 */
public final class MigrationPlanner {

    /** The fit of one target cluster for every pod the plan sends there. */
    public record Fit(String cluster, int pods, int placeable, long neededCpuMilli, long neededMemoryBytes, long freeCpuMilli,
                      long freeMemoryBytes, long shortCpuMilli, long shortMemoryBytes, boolean fits, String summary) {
    }

    /** {@code minReady}: per app, the Ready pods the plan keeps at every moment (all of them: make-before-break). */
    public record Plan(List<Migration.Move> moves, List<Fit> fit, List<String> blockers, Map<String, Integer> minReady) {
        public boolean fits() {
            return fit.stream().allMatch(Fit::fits);
        }
    }

    private final ClusterRegistry registry;
    private final DeploymentOps ops;

    public MigrationPlanner(ClusterRegistry registry, DeploymentOps ops) {
        this.registry = registry;
        this.ops = ops;
    }

    private record Source(ClusterHandle cluster, DeploymentRecord deployment, int priority) {
    }

    public Plan plan(Migration.Spec spec) {
        if (spec.fromIdc().equals(spec.toIdc())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "toIdc", "the source and the target IDC are the same (" + spec.fromIdc() + ")");
        }
        List<ClusterHandle> from = idc(spec.fromIdc(), "fromIdc");
        List<ClusterHandle> to = idc(spec.toIdc(), "toIdc");
        if (!spec.toClusters().isEmpty()) {
            Set<String> names = to.stream().map(ClusterHandle::name).collect(Collectors.toSet());
            for (String c : spec.toClusters()) {
                if (!names.contains(c)) {
                    throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, "toClusters", "cluster " + c + " is not in IDC " + spec.toIdc());
                }
            }
            to = to.stream().filter(h -> spec.toClusters().contains(h.name())).toList();
        }
        List<Source> sources = sources(spec, from);
        List<String> blockers = new ArrayList<>();
        List<Migration.Move> moves = new ArrayList<>();
        Map<String, List<NodeDrainer.Verdict>> podsTo = new TreeMap<>();
        Map<String, Integer> minReady = new LinkedHashMap<>();
        NodeDrainer drainer = new NodeDrainer(registry);
        // each target cluster's nodes and pods are read once per plan; every placement below works on a copy
        Map<String, NodeDrainer.Rooms> rooms = new HashMap<>();
        for (Source s : sources) {
            DeploymentRecord d = s.deployment();
            String ns = d.namespace();
            boolean reachable = s.cluster().health().reachable();
            DeploymentOps.PodShape live = null;
            if (reachable) {
                try {
                    live = ops.shape(s.cluster().name(), ns, d.name()).orElse(null);
                } catch (RuntimeException e) {
                    live = null;
                }
            }
            int total = live != null ? live.replicas() : d.replicas();
            List<NodeDrainer.Verdict> pods = verdicts(s.cluster(), d, live, total);
            // the target: a cluster of the target IDC that already has the Deployment, else the one where most of its pods fit
            ClusterHandle target = null;
            int targetBase = 0;
            for (ClusterHandle t : to) {
                DeploymentRecord existing = t.cache().deployments().records().get(d.key());
                if (existing != null) {
                    target = t;
                    targetBase = existing.replicas();
                    break;
                }
            }
            if (target == null) {
                int best = -1;
                for (ClusterHandle t : to) {
                    if (!t.health().reachable()) {
                        continue;
                    }
                    List<NodeDrainer.Verdict> all = new ArrayList<>(podsTo.getOrDefault(t.name(), List.of()));
                    all.addAll(pods);
                    int placeable = NodeDrainer.place(rooms.computeIfAbsent(t.name(), c -> drainer.rooms(c, Set.of())), all).placeable();
                    if (placeable > best) {
                        best = placeable;
                        target = t;
                    }
                }
            }
            String app = d.app();
            if (target == null) {
                blockers.add(app + ": no cluster of IDC " + spec.toIdc() + " answers");
                continue;
            }
            String template = null;
            if (!target.cache().deployments().records().containsKey(d.key())) {
                if (live == null) {
                    blockers.add(app + ": the target " + target.name() + " has no Deployment " + d.key() + " and the source " + s.cluster().name()
                            + " does not answer, so none can be made from its template (keep a DR Deployment at 0 replicas in the target)");
                } else {
                    template = live.copy();
                }
            }
            int batch = spec.batchSize() != null ? spec.batchSize() : Math.max(1, (total + 3) / 4);
            moves.add(new Migration.Move(ns, app, s.priority(), d.name(), s.cluster().name(), target.name(), total, targetBase,
                    Math.max(1, batch), 0, Migration.Phase.PENDING, 0, null, false, template, null));
            podsTo.computeIfAbsent(target.name(), k -> new ArrayList<>()).addAll(pods);
            minReady.merge(ns + "/" + app, total, Integer::sum);
        }
        List<Fit> fit = new ArrayList<>();
        podsTo.forEach((cluster, pods) -> {
            NodeDrainer.Capacity c = NodeDrainer.place(rooms.computeIfAbsent(cluster, k -> drainer.rooms(k, Set.of())), pods);
            String summary = c.fits() ? String.format(Locale.ROOT, "all %d pods fit in cluster %s", c.pods(), cluster)
                    : String.format(Locale.ROOT, "placeable %d of %d, short by %s CPU / %s memory in cluster %s", c.placeable(), c.pods(),
                    cpu(c.shortCpuMilli()), mem(c.shortMemoryBytes()), cluster);
            fit.add(new Fit(cluster, c.pods(), c.placeable(), c.neededCpuMilli(), c.neededMemoryBytes(), c.freeCpuMilli(), c.freeMemoryBytes(),
                    c.shortCpuMilli(), c.shortMemoryBytes(), c.fits(), summary));
        });
        return new Plan(moves, fit, blockers, minReady);
    }

    private List<ClusterHandle> idc(String idc, String field) {
        List<ClusterHandle> out = registry.all().stream().filter(h -> idc.equals(h.spec().idc())).sorted(Comparator.comparing(ClusterHandle::name)).toList();
        if (out.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, field, "no registered cluster is in IDC " + idc);
        }
        return out;
    }

    /** The source Deployments in priority order: the apps named (their order), or every app of the IDC. */
    private List<Source> sources(Migration.Spec spec, List<ClusterHandle> from) {
        List<Source> out = new ArrayList<>();
        Map<String, Integer> named = new HashMap<>();
        for (int i = 0; i < spec.apps().size(); i++) {
            named.putIfAbsent(spec.apps().get(i).key(), i);
        }
        Map<String, Integer> listed = new HashMap<>();
        for (int i = 0; i < spec.priority().size(); i++) {
            listed.putIfAbsent(spec.priority().get(i), i);
        }
        for (ClusterHandle h : from) {
            for (DeploymentRecord d : h.cache().deployments().records().values()) {
                if (d.app() == null || d.replicas() < 1) {
                    continue;
                }
                String key = d.namespace() + "/" + d.app();
                if (!spec.allApps() && !named.containsKey(key)) {
                    continue;
                }
                out.add(new Source(h, d, 0));
            }
        }
        if (!spec.allApps()) {
            for (Migration.AppRef a : spec.apps()) {
                if (out.stream().noneMatch(s -> s.deployment().namespace().equals(a.namespace()) && s.deployment().app().equals(a.app()))) {
                    throw NoahException.invalid(NoahException.Reason.UNKNOWN_APP, "apps", "app " + a.app() + " has no running Deployment in namespace "
                            + a.namespace() + " of IDC " + spec.fromIdc());
                }
            }
        }
        if (out.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.UNKNOWN_APP, "apps", "IDC " + spec.fromIdc() + " runs no app to move");
        }
        // order: named apps first in their order; then the priority list; then the priority label (higher first); then by name
        Comparator<Source> order = Comparator.comparingInt((Source s) -> named.getOrDefault(s.deployment().namespace() + "/" + s.deployment().app(),
                        Integer.MAX_VALUE))
                .thenComparingInt(s -> listed.getOrDefault(s.deployment().app(), Integer.MAX_VALUE))
                .thenComparing(Comparator.comparingLong((Source s) -> label(s.deployment(), spec.priorityLabel())).reversed())
                .thenComparing(s -> s.deployment().namespace() + "/" + s.deployment().app())
                .thenComparing(s -> s.cluster().name() + "/" + s.deployment().name());
        out.sort(order);
        List<Source> ranked = new ArrayList<>();
        Map<String, Integer> rank = new LinkedHashMap<>();
        for (Source s : out) {
            int r = rank.computeIfAbsent(s.deployment().namespace() + "/" + s.deployment().app(), k -> rank.size());
            ranked.add(new Source(s.cluster(), s.deployment(), r));
        }
        return ranked;
    }

    private static long label(DeploymentRecord d, String key) {
        String v = key == null || d.labels() == null ? null : d.labels().get(key);
        try {
            return v == null ? Long.MIN_VALUE : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** A pod of the Deployment as the fit check sees it: its requests, node selector and tolerations. */
    private static List<NodeDrainer.Verdict> verdicts(ClusterHandle h, DeploymentRecord d, DeploymentOps.PodShape live, int total) {
        long cpu = 0;
        long mem = 0;
        Map<String, String> selector = null;
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = null;
        if (live != null) {
            cpu = live.cpuMilli();
            mem = live.memoryBytes();
            selector = live.nodeSelector();
            tolerations = live.tolerations();
        } else {
            Optional<PodRecord> p = h.cache().pods().records().values().stream()
                    .filter(x -> d.namespace().equals(x.namespace()) && x.ownerName() != null && x.ownerName().startsWith(d.name() + "-")).findFirst();
            if (p.isPresent()) {
                cpu = p.get().cpuRequestMilli();
                mem = p.get().memoryRequestBytes();
            }
        }
        List<NodeDrainer.Verdict> out = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            out.add(new NodeDrainer.Verdict(d.namespace(), d.name() + "#" + i, NodeDrainer.Kind.EVICT, null, null, null, null, null, cpu, mem,
                    selector, tolerations));
        }
        return out;
    }

    private static String cpu(long milli) {
        return milli % 1000 == 0 ? Long.toString(milli / 1000) : String.format(Locale.ROOT, "%.3f", milli / 1000.0);
    }

    private static String mem(long bytes) {
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format(Locale.ROOT, "%.2f GiB", gib) : String.format(Locale.ROOT, "%.0f MiB", bytes / (1024.0 * 1024));
    }
}
