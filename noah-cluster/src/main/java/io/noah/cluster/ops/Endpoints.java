package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;

/** Where traffic is decided: a pod's entries in the EndpointSlices of its namespace, read live. */
public final class Endpoints {

    /** One EndpointSlice entry of a pod: the Service it belongs to and whether the pod receives traffic through it. */
    public record Entry(String service, String slice, boolean ready) {
    }

    private Endpoints() {
    }

    /** The pod's entries (by uid) in its namespace's EndpointSlices; an empty list: no Service sends it traffic. */
    public static List<Entry> of(KubernetesClient client, String namespace, String podUid) {
        List<Entry> out = new ArrayList<>();
        for (EndpointSlice s : client.discovery().v1().endpointSlices().inNamespace(namespace).list().getItems()) {
            if (s.getEndpoints() == null) {
                continue;
            }
            String service = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get("kubernetes.io/service-name");
            for (Endpoint e : s.getEndpoints()) {
                if (e.getTargetRef() != null && podUid.equals(e.getTargetRef().getUid())) {
                    // a nil ready condition means ready (the EndpointSlice API's rule)
                    boolean ready = e.getConditions() == null || e.getConditions().getReady() == null || e.getConditions().getReady();
                    out.add(new Entry(service, s.getMetadata().getName(), ready));
                }
            }
        }
        return out;
    }

    /** No entry of the pod is ready: no Service routes to it. */
    public static boolean noneReady(List<Entry> entries) {
        return entries.stream().noneMatch(Entry::ready);
    }
}
