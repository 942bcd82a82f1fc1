package io.noah.api.web;

import io.noah.api.clusters.ClusterService;
import io.noah.cluster.registry.ClusterRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /actuator/health} component "clusters": UP while every cluster is reachable and its caches
 * are synced, DEGRADED-like detail otherwise (Noah itself stays UP: other clusters still serve).
 * Per-cluster detail is shown to authenticated callers only.
 */
@Component("clusters")
public class ClustersHealthIndicator implements HealthIndicator {

    private final ClusterRegistry registry;
    private final ClusterService clusters;

    public ClustersHealthIndicator(ClusterRegistry registry, ClusterService clusters) {
        this.registry = registry;
        this.clusters = clusters;
    }

    @Override
    public Health health() {
        Map<String, Object> detail = new LinkedHashMap<>();
        int unreachable = 0;
        for (var h : registry.all()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("reachable", h.health().reachable());
            c.put("synced", h.cache().synced());
            c.put("stale", h.stale());
            c.put("pods", h.cache().pods().size());
            if (h.health().error() != null) {
                c.put("error", h.health().error());
            }
            if (!h.health().reachable()) {
                unreachable++;
            }
            detail.put(h.name(), c);
        }
        clusters.refused().values().forEach(r -> detail.put(r.name(), Map.of("registered", false, "error", r.error())));
        detail.put("unreachable", unreachable);
        detail.put("refused", clusters.refused().size());
        return Health.up().withDetails(detail).build();
    }
}
