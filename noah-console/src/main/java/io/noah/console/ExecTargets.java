package io.noah.console;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The pods a batch exec runs on, resolved from the caches: an app, a Deployment (by its selector), a label selector,
 * or pods by name; narrowed by clusters, pools, IDCs and a namespace. Only Running pods that are not terminating.
 */
public final class ExecTargets {

    public record PodRef(String cluster, String namespace, String name) {
    }

    public record Selection(Set<String> clusters, Set<String> pools, Set<String> idcs, String namespace, String app, String deployment,
                            LabelSelector selector, List<PodRef> pods) {
    }

    private final ClusterRegistry registry;

    public ExecTargets(ClusterRegistry registry) {
        this.registry = registry;
    }

    /** The selected pods, in cluster, namespace, name order; 400 when nothing selects, 404 for a named pod not cached. */
    public List<BatchExec.Target> resolve(Selection s) {
        boolean byName = s.pods() != null && !s.pods().isEmpty();
        if (!byName && s.app() == null && s.deployment() == null && s.selector() == null) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "targets",
                    "targets need an app, a deployment, a labelSelector or pods by name");
        }
        if (s.deployment() != null && s.namespace() == null) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "targets.namespace", "a deployment target needs its namespace");
        }
        for (Set<String> names : java.util.Arrays.asList(s.clusters(), byName ? s.pods().stream().map(PodRef::cluster).collect(
                java.util.stream.Collectors.toSet()) : null)) {
            if (names != null) {
                names.forEach(registry::require);
            }
        }
        List<BatchExec.Target> out = new ArrayList<>();
        if (byName) {
            for (PodRef p : s.pods()) {
                PodRecord r = registry.require(p.cluster()).cache().pods().record(p.namespace() + "/" + p.name());
                if (r == null) {
                    throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + p.namespace() + "/" + p.name() + " is not in cluster "
                            + p.cluster() + "'s cache");
                }
                out.add(new BatchExec.Target(p.cluster(), p.namespace(), p.name()));
            }
            return out.stream().distinct().toList();
        }
        List<String> stale = new ArrayList<>();
        for (ClusterHandle h : registry.all().stream().sorted(java.util.Comparator.comparing(ClusterHandle::name)).toList()) {
            if ((s.clusters() != null && !s.clusters().contains(h.name())) || (s.pools() != null && !s.pools().contains(h.spec().pool()))
                    || (s.idcs() != null && !s.idcs().contains(h.spec().idc()))) {
                continue;
            }
            if (h.stale()) {
                stale.add(h.name());
            }
            java.util.Map<String, String> deploymentSelector = java.util.Map.of();
            if (s.deployment() != null) {
                DeploymentRecord d = h.cache().deployments().record(s.namespace() + "/" + s.deployment());
                if (d == null || d.selector() == null || d.selector().isEmpty()) {
                    continue;
                }
                deploymentSelector = d.selector();
            }
            java.util.Map<String, String> dsel = deploymentSelector;
            for (PodRecord p : h.cache().pods().records().values()) {
                if ((s.namespace() == null || s.namespace().equals(p.namespace())) && (s.app() == null || s.app().equals(p.app()))
                        && (s.selector() == null || s.selector().matches(p.labels()))
                        && dsel.entrySet().stream().allMatch(e -> e.getValue().equals(p.labels().get(e.getKey())))
                        && "Running".equals(p.phase()) && !p.terminating()) {
                    out.add(new BatchExec.Target(h.name(), p.namespace(), p.name()));
                }
            }
        }
        if (out.isEmpty() && !stale.isEmpty()) {
            // nothing selected, and a cluster's cache is not to be trusted now: not "no pod", but "try again"
            throw new NoahException(NoahException.Reason.CLUSTER_UNREACHABLE, "no running pod selected, and the data of " + String.join(", ", stale)
                    + " is not up to date (unreachable or its cache not in sync): try again shortly");
        }
        return out;
    }
}
