package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Isolates a pod for debugging (the seed's trick): its labels are replaced by {@code name-bk=<deployment>} and
 * {@code pod-status=isolate} (keys configurable), its controller reference is removed, so its ReplicaSet no longer
 * counts it and creates a replacement (the app keeps its instance count) while the pod keeps running. No Service
 * selecting on the app's labels selects it any more, and its readiness gate (if it has one) is set False too. The
 * original labels are kept in an annotation; an expiry label ({@code noah.io/isolated-until}, epoch seconds) lets a
 * loop delete it later. Guard against adoption: a ReplicaSet adopts only orphans its selector matches, so Noah
 * refuses when any ReplicaSet of the namespace would match the new labels.
 */
public final class PodIsolation {

    private static final Logger log = LoggerFactory.getLogger(PodIsolation.class);

    public static final String UNTIL_LABEL = "noah.io/isolated-until";
    public static final String ORIGINAL_LABELS = "noah.io/original-labels";
    public static final String ISOLATED_BY = "noah.io/isolated-by";
    public static final String ISOLATED_AT = "noah.io/isolated-at";
    public static final String ISOLATED_REASON = "noah.io/isolated-reason";

    /** The label keys and value that mark an isolated pod (the seed's: {@code name-bk}, {@code pod-status=isolate}). */
    public record Labels(String deploymentKey, String statusKey, String statusValue) {
        public static final Labels SEED = new Labels("name-bk", "pod-status", "isolate");

        public Labels {
            for (String k : List.of(deploymentKey, statusKey)) {
                if (!LabelSelector.isValidKey(k)) {
                    throw new IllegalArgumentException("not a label key: " + k);
                }
            }
            if (!LabelSelector.isValidValue(statusValue) || statusValue.isEmpty()) {
                throw new IllegalArgumentException("not a label value: " + statusValue);
            }
        }
    }

    /**
     * An isolation as done: the pod, the Deployment it came from, when it expires, whether the Deployment was seen
     * back at its ready replicas with a new pod within the verification time, and the pod's EndpointSlice entries.
     */
    public record Result(String cluster, String namespace, String pod, String deployment, Instant expiresAt,
                         Map<String, String> originalLabels, boolean replaced, int deploymentReplicas,
                         int deploymentReady, List<Endpoints.Entry> endpoints, long waitedMillis) {
    }

    /** An isolated pod as the caches have it. */
    public record Isolated(String cluster, String namespace, String pod, String deployment, String node,
                           Instant expiresAt, boolean running) {
    }

    private final ClusterRegistry registry;
    private final Labels labels;
    private final Duration verifyTimeout;

    public PodIsolation(ClusterRegistry registry, Labels labels, Duration verifyTimeout) {
        this.registry = registry;
        this.labels = labels;
        this.verifyTimeout = verifyTimeout;
    }

    public Labels labels() {
        return labels;
    }

    public Result isolate(String cluster, String namespace, String name, Instant expiresAt, String actor, String reason) {
        KubernetesClient client = registry.require(cluster).clientForWrite();
        try {
            var pod = client.pods().inNamespace(namespace).withName(name);
            Pod p = pod.get();
            if (p == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + namespace + "/" + name + " does not exist in cluster " + cluster);
            }
            var m = p.getMetadata();
            Map<String, String> original = m.getLabels() == null ? Map.of() : m.getLabels();
            if (labels.statusValue().equals(original.get(labels.statusKey()))) {
                throw refuse(cluster, namespace, name, "is isolated already");
            }
            if (m.getDeletionTimestamp() != null) {
                throw refuse(cluster, namespace, name, "is terminating");
            }
            OwnerReference owner = m.getOwnerReferences() == null ? null : m.getOwnerReferences().stream()
                    .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
            if (owner == null || !"ReplicaSet".equals(owner.getKind())) {
                throw refuse(cluster, namespace, name, "is not a ReplicaSet's pod (" + (owner == null ? "no controller" : owner.getKind())
                        + "): nothing would replace it");
            }
            ReplicaSet rs = client.apps().replicaSets().inNamespace(namespace).withName(owner.getName()).get();
            String deployment = rs == null || rs.getMetadata().getOwnerReferences() == null ? owner.getName()
                    : rs.getMetadata().getOwnerReferences().stream().filter(o -> "Deployment".equals(o.getKind()))
                    .map(OwnerReference::getName).findFirst().orElse(owner.getName());
            Map<String, String> isolated = new LinkedHashMap<>();
            isolated.put(labels.deploymentKey(), LabelSelector.isValidValue(deployment) ? deployment : deployment.substring(0, 63));
            isolated.put(labels.statusKey(), labels.statusValue());
            isolated.put(UNTIL_LABEL, Long.toString(expiresAt.getEpochSecond()));
            for (ReplicaSet other : client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
                if (other.getSpec().getSelector() != null && Selectors.matches(other.getSpec().getSelector(), isolated)) {
                    throw refuse(cluster, namespace, name, "would be adopted by ReplicaSet " + other.getMetadata().getName()
                            + " (its selector matches the isolation labels)");
                }
            }
            Map<String, String> annotations = new LinkedHashMap<>(m.getAnnotations() == null ? Map.of() : m.getAnnotations());
            annotations.put(ORIGINAL_LABELS, client.getKubernetesSerialization().asJson(new java.util.TreeMap<>(original)));
            annotations.put(ISOLATED_BY, actor);
            annotations.put(ISOLATED_AT, Instant.now().toString());
            if (reason != null && !reason.isBlank()) {
                annotations.put(ISOLATED_REASON, reason);
            }
            List<Map<String, Object>> ops = new ArrayList<>();
            // a concurrent change (another isolation, the ReplicaSet deleting it) makes this patch fail, not merge
            ops.add(Map.of("op", "test", "path", "/metadata/resourceVersion", "value", m.getResourceVersion()));
            ops.add(Map.of("op", "replace", "path", "/metadata/labels", "value", isolated));
            ops.add(Map.of("op", m.getAnnotations() == null ? "add" : "replace", "path", "/metadata/annotations", "value", annotations));
            ops.add(Map.of("op", "remove", "path", "/metadata/ownerReferences"));
            pod.patch(PatchContext.of(PatchType.JSON), client.getKubernetesSerialization().asJson(ops));
            if (PodTraffic.hasGate(p)) {
                PodTraffic.setGate(pod, false, "NoahIsolated");
            }
            log.info("isolated pod {}/{} of Deployment {} in {} until {}", namespace, name, deployment, cluster, expiresAt);
            return verify(client, cluster, namespace, name, deployment, expiresAt, original, m.getUid());
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    private static NoahException refuse(String cluster, String namespace, String name, String why) {
        return new NoahException(NoahException.Reason.NOT_ISOLATABLE, "pod " + namespace + "/" + name + " in " + cluster + " " + why);
    }

    /**
     * Waits until the Deployment has its replicas ready again without the isolated pod: counted from the pods its
     * selector selects now (the Deployment's status may still count the isolated pod for a moment), within the
     * verification time.
     */
    private Result verify(KubernetesClient client, String cluster, String namespace, String name, String deployment,
                          Instant expiresAt, Map<String, String> original, String uid) {
        long start = System.nanoTime();
        long deadline = start + verifyTimeout.toNanos();
        while (true) {
            Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
            int replicas = d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
            int ready = 0;
            if (d != null && d.getSpec().getSelector() != null) {
                for (Pod p : client.pods().inNamespace(namespace).list().getItems()) {
                    if (!uid.equals(p.getMetadata().getUid()) && p.getMetadata().getDeletionTimestamp() == null
                            && Selectors.matches(d.getSpec().getSelector(), p.getMetadata().getLabels()) && PodTraffic.condition(p, "Ready")) {
                        ready++;
                    }
                }
            }
            List<Endpoints.Entry> endpoints = Endpoints.of(client, namespace, uid);
            boolean replaced = d != null && ready >= replicas && Endpoints.noneReady(endpoints);
            long waited = (System.nanoTime() - start) / 1_000_000;
            if (replaced || System.nanoTime() > deadline) {
                return new Result(cluster, namespace, name, deployment, expiresAt, original, replaced, replicas, ready, endpoints, waited);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(cluster, namespace, name, deployment, expiresAt, original, false, replicas, ready, endpoints, waited);
            }
        }
    }

    /** The isolated pods of a cluster, from its cache. */
    public List<Isolated> isolated(ClusterHandle h) {
        List<Isolated> out = new ArrayList<>();
        for (PodRecord r : h.cache().pods().records().values()) {
            if (labels.statusValue().equals(r.labels().get(labels.statusKey()))) {
                out.add(new Isolated(h.name(), r.namespace(), r.name(), r.labels().get(labels.deploymentKey()), r.nodeName(),
                        until(r), "Running".equals(r.phase()) && !r.terminating()));
            }
        }
        return out;
    }

    private static Instant until(PodRecord r) {
        String v = r.labels().get(UNTIL_LABEL);
        try {
            return v == null ? null : Instant.ofEpochSecond(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Isolated pods of the cluster whose expiry has passed. */
    public List<Isolated> expired(ClusterHandle h, Instant now) {
        return isolated(h).stream().filter(i -> i.expiresAt() != null && !i.expiresAt().isAfter(now) && i.running()).toList();
    }

    /** Deletes an isolated pod (refuses a pod that is not isolated); false when it was gone already. */
    public boolean delete(String cluster, String namespace, String name) {
        KubernetesClient client = registry.require(cluster).clientForWrite();
        try {
            Pod p = client.pods().inNamespace(namespace).withName(name).get();
            if (p == null) {
                return false;
            }
            Map<String, String> l = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (!labels.statusValue().equals(l.get(labels.statusKey()))) {
                throw new NoahException(NoahException.Reason.CONFLICT, "pod " + namespace + "/" + name + " in " + cluster
                        + " is not isolated: Noah deletes only isolated pods");
            }
            // preconditioned on the version read: a pod changed (or a new pod of the same name) is never deleted by mistake
            client.pods().inNamespace(namespace).withName(name).lockResourceVersion(p.getMetadata().getResourceVersion()).delete();
            log.info("deleted isolated pod {}/{} in {}", namespace, name, cluster);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw Kubernetes.translate(cluster, e);
        }
    }
}
