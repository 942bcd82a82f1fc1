package io.noah.api.web;

import io.noah.api.clusters.ClusterService;
import io.noah.api.web.dto.Views;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Cache records and cluster handles → the API's views. */
final class ViewMapper {

    private ViewMapper() {
    }

    static Views.Cluster cluster(ClusterHandle h) {
        var s = h.spec();
        var health = h.health();
        var cache = h.cache();
        Views.Connection conn = switch (s.connection()) {
            case ClusterConnection.Kubeconfig k -> new Views.Connection("kubeconfig", null, k.context());
            case ClusterConnection.KubeconfigFile f -> new Views.Connection("kubeconfig", null, f.context());
            case ClusterConnection.Token t -> new Views.Connection("token", t.server(), null);
        };
        return new Views.Cluster(s.name(), s.idc(), s.pool(), s.labels(), s.maintenance(), s.source().name().toLowerCase(),
                conn, new Views.ClusterStatus(health.reachable(), health.kubernetesVersion(), cache.nodes().size(),
                cache.pods().size(), cache.deployments().size(), cache.synced(), cache.watching(), h.stale(),
                cache.lastEventAt(), health.probedAt(), health.error()));
    }

    /** A cluster Noah knows but did not register: never connected, its error says why. */
    static Views.Cluster refused(ClusterService.Refused r) {
        return new Views.Cluster(r.name(), r.idc(), r.pool(), r.labels(), r.maintenance(), r.source().name().toLowerCase(),
                new Views.Connection(r.connectionKind(), null, null),
                new Views.ClusterStatus(false, null, 0, 0, 0, false, false, true, null, null, "not registered: " + r.error()));
    }

    static Views.Freshness freshness(ClusterHandle h) {
        return new Views.Freshness(h.name(), h.health().reachable(), h.cache().synced(), h.stale(), h.cache().lastEventAt());
    }

    static List<Views.Freshness> freshness(ClusterRegistry registry) {
        return registry.all().stream().map(ViewMapper::freshness).toList();
    }

    static Function<PodRecord, Views.Pod> pod(ClusterRegistry registry) {
        return p -> new Views.Pod(p.cluster(), idc(registry, p.cluster()), p.namespace(), p.name(), p.app(), p.labels(),
                p.nodeName(), p.podIP(), p.hostIP(), p.phase(), p.ready(), p.restarts(), p.ownerKind(), p.ownerName(),
                instant(p.createdEpochSecond()), p.terminating());
    }

    static Function<DeploymentRecord, Views.Deployment> deployment(ClusterRegistry registry) {
        return d -> new Views.Deployment(d.cluster(), idc(registry, d.cluster()), d.namespace(), d.name(), d.app(), d.labels(),
                d.replicas(), d.readyReplicas(), d.updatedReplicas(), d.availableReplicas(), d.generation(),
                d.observedGeneration(), d.images(), instant(d.createdEpochSecond()));
    }

    static Views.Node node(NodeRecord n) {
        return new Views.Node(n.cluster(), n.name(), n.labels(), n.ready(), n.unschedulable(), n.internalIP(), n.podCIDR(),
                n.cpu(), n.memory(), n.kubeletVersion());
    }

    private static String idc(ClusterRegistry registry, String cluster) {
        return registry.get(cluster).map(h -> h.spec().idc()).orElse(null);
    }

    private static Instant instant(long epochSecond) {
        return epochSecond == 0 ? null : Instant.ofEpochSecond(epochSecond);
    }
}
