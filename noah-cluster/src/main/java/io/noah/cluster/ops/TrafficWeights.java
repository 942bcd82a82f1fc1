package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Pod;
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

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Traffic weights on pods: the annotation {@code noah.io/traffic-weight} (0–100; 0 is out of traffic; no annotation
 * means the load balancer's default) that a load-balancer integration reads, and Noah's event stream publishes
 * ({@code io.noah.pod.traffic-weight-changed}). Every change is read back from the API server.
 */
public final class TrafficWeights {

    private static final Logger log = LoggerFactory.getLogger(TrafficWeights.class);

    public static final String ANNOTATION = Slimming.TRAFFIC_WEIGHT;

    /** A pod's weight as read back after the change ({@code before}/{@code after}: null for none). */
    public record Change(String cluster, String namespace, String pod, String node, Integer before, Integer after, boolean applied,
                         String error) {
    }

    private final ClusterRegistry registry;

    public TrafficWeights(ClusterRegistry registry) {
        this.registry = registry;
    }

    public static void validate(int weight) {
        if (weight < 0 || weight > 100) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "weight", "a traffic weight is 0 to 100 (0: out of traffic)");
        }
    }

    /**
     * The pods on these nodes of the cluster (from the cache; terminating pods and {@code kube-system} left out), in
     * order of node, namespace, name; only those of {@code namespace} unless it is null.
     */
    public List<PodRecord> podsOn(ClusterHandle h, Collection<String> nodes, String namespace) {
        Set<String> set = Set.copyOf(nodes);
        return h.cache().pods().records().values().stream()
                .filter(p -> p.nodeName() != null && set.contains(p.nodeName()) && !p.terminating() && !"kube-system".equals(p.namespace()))
                .filter(p -> namespace == null || namespace.equals(p.namespace()))
                .sorted(Comparator.comparing(PodRecord::nodeName).thenComparing(PodRecord::namespace).thenComparing(PodRecord::name))
                .toList();
    }

    /** Sets {@code weight} on each pod (null removes it) and reads each back; one pod failing does not stop the others. */
    public List<Change> set(String cluster, List<PodRecord> pods, Integer weight) {
        if (weight != null) {
            validate(weight);
        }
        KubernetesClient client = registry.require(cluster).clientForWrite();
        List<Change> out = new ArrayList<>();
        for (PodRecord p : pods) {
            out.add(setOne(client, cluster, p.namespace(), p.name(), p.nodeName(), weight));
        }
        log.info("traffic weight {} set on {} pods in {}", weight, pods.size(), cluster);
        return out;
    }

    static Change setOne(KubernetesClient client, String cluster, String namespace, String name, String node, Integer weight) {
        try {
            var pod = client.pods().inNamespace(namespace).withName(name);
            Pod before = pod.get();
            if (before == null) {
                return new Change(cluster, namespace, name, node, null, null, false, "the pod is gone");
            }
            pod.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":"
                    + (weight == null ? "null" : "\"" + weight + "\"") + "}}}");
            Pod after = pod.get();
            Integer now = after == null ? null : weight(after);
            return new Change(cluster, namespace, name, node, weight(before), now, after != null && java.util.Objects.equals(now, weight), null);
        } catch (KubernetesClientException e) {
            return new Change(cluster, namespace, name, node, null, null, false, Kubernetes.translate(cluster, e).getMessage());
        }
    }

    static Integer weight(Pod p) {
        return Slimming.weight(p.getMetadata().getAnnotations());
    }
}
