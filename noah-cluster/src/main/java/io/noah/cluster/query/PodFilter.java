package io.noah.cluster.query;

import java.util.Objects;
import java.util.Set;

/** Filters of a pod query; null means "any". */
public record PodFilter(Set<String> clusters, String idc, String namespace, String app, LabelSelector selector,
                        String node, String ip, String phase, Boolean ready) {

    public PodFilter {
        selector = selector == null ? LabelSelector.everything() : selector;
    }

    int fingerprint() {
        return Objects.hash("pods", clusters, idc, namespace, app, selector.toString(), node, ip, phase, ready);
    }
}
