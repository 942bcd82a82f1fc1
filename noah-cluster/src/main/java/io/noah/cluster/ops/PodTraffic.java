package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.cache.Slimming;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * Takes a pod out of traffic and back, the Kubernetes-native way: the pod's readiness gate
 * {@code noah.io/in-traffic} (its condition False makes the pod not Ready, so the EndpointSlice controller
 * marks it not ready and no Service routes to it; the pod keeps running). The pod is labelled
 * {@code noah.io/traffic=out} while out, so out-of-traffic pods can be listed from the caches and the gate
 * keeper never lets one back in. Each change is verified where traffic is decided (the pod's Ready condition
 * and its EndpointSlice entries), not trusted from the patch.
 */
public final class PodTraffic {

    private static final Logger log = LoggerFactory.getLogger(PodTraffic.class);

    public static final String GATE = Slimming.TRAFFIC_GATE;
    public static final String OUT_LABEL = "noah.io/traffic";
    public static final String OUT = "out";
    /** The weight a pod had when Noah took it out of traffic ({@code none}: it had none), restored when it goes back. */
    public static final String SAVED_WEIGHT = "noah.io/traffic-weight-saved";
    private static final String NONE = "none";

    /** A JSON string of an annotation value that is a weight or {@code none} (anything else: null). */
    private static String json(String v) {
        return v != null && v.matches("none|[0-9]{1,3}") ? "\"" + v + "\"" : "null";
    }

    /**
     * A pod's traffic state as read back from the cluster: {@code inTraffic} (the gate condition),
     * {@code ready} (the pod's Ready condition), its EndpointSlice entries, whether the change was seen take
     * effect within the verification time, how long that took, and the pod's container restarts.
     */
    public record Result(String cluster, String namespace, String pod, String uid, boolean inTraffic, boolean ready,
                         List<Endpoints.Entry> endpoints, boolean verified, long waitedMillis, int restarts, Integer weight) {
    }

    private final ClusterRegistry registry;
    private final Duration verifyTimeout;

    public PodTraffic(ClusterRegistry registry, Duration verifyTimeout) {
        this.registry = registry;
        this.verifyTimeout = verifyTimeout;
    }

    public Result out(String cluster, String namespace, String name) {
        return set(cluster, namespace, name, false);
    }

    public Result in(String cluster, String namespace, String name) {
        return set(cluster, namespace, name, true);
    }

    private Result set(String cluster, String namespace, String name, boolean in) {
        KubernetesClient client = registry.require(cluster).clientForWrite();
        try {
            var pod = client.pods().inNamespace(namespace).withName(name);
            Pod p = pod.get();
            if (p == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + namespace + "/" + name + " does not exist in cluster " + cluster);
            }
            if (!hasGate(p)) {
                throw new NoahException(NoahException.Reason.NO_TRAFFIC_GATE, "pod " + namespace + "/" + name + " in " + cluster
                        + " has no readiness gate " + GATE + ": Noah cannot take it out of traffic without restarting it; a release with"
                        + " \"trafficGate\": true adds the gate to the app's pods");
            }
            // the label and the weight first: from then on the gate keeper leaves the pod alone, whatever happens next.
            // Out: weight 0, the weight it had kept aside; in: that weight back.
            var annotations = p.getMetadata().getAnnotations() == null ? java.util.Map.<String, String>of() : p.getMetadata().getAnnotations();
            String weight;
            String saved;
            if (in) {
                String back = annotations.get(SAVED_WEIGHT);
                weight = back == null ? json(annotations.get(TrafficWeights.ANNOTATION)) : NONE.equals(back) ? "null" : json(back);
                saved = "null";
            } else {
                weight = "\"0\"";
                String had = annotations.get(TrafficWeights.ANNOTATION);
                saved = annotations.containsKey(SAVED_WEIGHT) ? json(annotations.get(SAVED_WEIGHT)) : json(had == null ? NONE : had);
            }
            pod.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"" + OUT_LABEL + "\":"
                    + (in ? "null" : "\"" + OUT + "\"") + "},\"annotations\":{\"" + TrafficWeights.ANNOTATION + "\":" + weight
                    + ",\"" + SAVED_WEIGHT + "\":" + saved + "}}}");
            setGate(pod, in, in ? "NoahInTraffic" : "NoahOutOfTraffic");
            log.info("pod {}/{} in {} {} traffic", namespace, name, cluster, in ? "back in" : "out of");
            return verify(client, cluster, namespace, name, in);
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /** The pod's traffic state now (no change, no wait). */
    public Result state(String cluster, String namespace, String name) {
        KubernetesClient client = registry.require(cluster).client();
        try {
            Pod p = client.pods().inNamespace(namespace).withName(name).get();
            if (p == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + namespace + "/" + name + " does not exist in cluster " + cluster);
            }
            return read(client, cluster, p, true, 0);
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    private Result verify(KubernetesClient client, String cluster, String namespace, String name, boolean in) {
        long start = System.nanoTime();
        long deadline = start + verifyTimeout.toNanos();
        while (true) {
            Pod p = client.pods().inNamespace(namespace).withName(name).get();
            if (p == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + namespace + "/" + name + " went away in cluster " + cluster);
            }
            Result r = read(client, cluster, p, false, (System.nanoTime() - start) / 1_000_000);
            boolean done = in ? r.inTraffic() && r.ready() && r.endpoints().stream().allMatch(Endpoints.Entry::ready)
                    : !r.inTraffic() && !r.ready() && Endpoints.noneReady(r.endpoints()) && Integer.valueOf(0).equals(r.weight());
            if (done || System.nanoTime() > deadline) {
                return new Result(r.cluster(), r.namespace(), r.pod(), r.uid(), r.inTraffic(), r.ready(), r.endpoints(), done,
                        r.waitedMillis(), r.restarts(), r.weight());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
    }

    private static Result read(KubernetesClient client, String cluster, Pod p, boolean verified, long waited) {
        boolean gate = condition(p, GATE);
        boolean ready = condition(p, "Ready");
        int restarts = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? 0
                : p.getStatus().getContainerStatuses().stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
        var m = p.getMetadata();
        return new Result(cluster, m.getNamespace(), m.getName(), m.getUid(), gate && hasGate(p), ready,
                Endpoints.of(client, m.getNamespace(), m.getUid()), verified, waited, restarts, TrafficWeights.weight(p));
    }

    /** The gate's condition through the status subresource (a strategic merge: the other conditions stay). */
    static void setGate(io.fabric8.kubernetes.client.dsl.PodResource pod, boolean in, String reason) {
        pod.status().patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"status\":{\"conditions\":[{\"type\":\"" + GATE
                + "\",\"status\":\"" + (in ? "True" : "False") + "\",\"reason\":\"" + reason + "\",\"lastTransitionTime\":\""
                + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}]}}");
    }

    static boolean hasGate(Pod p) {
        return p.getSpec() != null && p.getSpec().getReadinessGates() != null
                && p.getSpec().getReadinessGates().stream().anyMatch(g -> GATE.equals(g.getConditionType()));
    }

    static boolean condition(Pod p, String type) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if (type.equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /**
     * The gate keeper: a pod created with the gate is not Ready until someone sets the gate's condition. Noah
     * sets it True on every pod of the cluster that has the gate and no condition yet, unless Noah took the pod
     * out of traffic. Returns how many pods it admitted.
     */
    public int admitNew(ClusterHandle h) {
        int n = 0;
        for (PodRecord r : h.cache().pods().records().values()) {
            if ("".equals(r.trafficGate()) && !r.terminating() && !OUT.equals(r.labels().get(OUT_LABEL))) {
                try {
                    setGate(h.clientForWrite().pods().inNamespace(r.namespace()).withName(r.name()), true, "NoahAdmitted");
                    n++;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw Kubernetes.translate(h.name(), e);
                    }
                }
            }
        }
        return n;
    }
}
