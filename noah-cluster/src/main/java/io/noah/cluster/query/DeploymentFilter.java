package io.noah.cluster.query;

import java.util.Objects;
import java.util.Set;

/** Filters of a Deployment query; null means "any". */
public record DeploymentFilter(Set<String> clusters, String idc, String namespace, String app, LabelSelector selector) {

    public DeploymentFilter {
        selector = selector == null ? LabelSelector.everything() : selector;
    }

    int fingerprint() {
        return Objects.hash("deployments", clusters, idc, namespace, app, selector.toString());
    }
}
