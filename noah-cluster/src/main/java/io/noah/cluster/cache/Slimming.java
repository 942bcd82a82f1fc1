package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Turns fabric8 objects into Noah's slim records (the only place that reads their shape). */
public final class Slimming {

    private Slimming() {
    }

    public static PodRecord pod(String cluster, String appLabel, Pod p) {
        var m = p.getMetadata();
        var spec = p.getSpec();
        var st = p.getStatus();
        Map<String, String> labels = Strings.labels(m.getLabels());
        boolean ready = false;
        long readySince = 0;
        int restarts = 0;
        String phase = null;
        String podIP = null;
        String hostIP = null;
        if (st != null) {
            phase = Strings.of(st.getPhase());
            podIP = st.getPodIP();
            hostIP = Strings.of(st.getHostIP());
            if (st.getConditions() != null) {
                for (PodCondition c : st.getConditions()) {
                    if ("Ready".equals(c.getType())) {
                        ready = "True".equals(c.getStatus());
                        readySince = epoch(c.getLastTransitionTime());
                    }
                }
            }
            if (st.getContainerStatuses() != null) {
                for (ContainerStatus cs : st.getContainerStatuses()) {
                    restarts += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                }
            }
        }
        String ownerKind = null;
        String ownerName = null;
        if (m.getOwnerReferences() != null) {
            for (OwnerReference o : m.getOwnerReferences()) {
                if (Boolean.TRUE.equals(o.getController())) {
                    ownerKind = Strings.of(o.getKind());
                    ownerName = Strings.of(o.getName());
                }
            }
        }
        return new PodRecord(Strings.of(cluster), Strings.of(m.getNamespace()), m.getName(), m.getUid(),
                m.getResourceVersion(), labels, labels.get(appLabel), spec == null ? null : Strings.of(spec.getNodeName()),
                podIP, hostIP, phase, ready, restarts, ownerKind, ownerName, epoch(m.getCreationTimestamp()),
                m.getDeletionTimestamp() != null, request(spec, "cpu", 1000), request(spec, "memory", 1),
                readySince, trafficGate(spec, st), weight(m.getAnnotations()));
    }

    /** The annotation holding a pod's traffic weight (0–100; 0: out of traffic) for load-balancer integrations. */
    public static final String TRAFFIC_WEIGHT = "noah.io/traffic-weight";

    /** A pod's traffic weight from its annotations: 0–100, else null (none, or not a weight). */
    public static Integer weight(Map<String, String> annotations) {
        String v = annotations == null ? null : annotations.get(TRAFFIC_WEIGHT);
        if (v == null || v.isEmpty() || v.length() > 3) {
            return null;
        }
        try {
            int w = Integer.parseInt(v);
            return w >= 0 && w <= 100 ? w : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The readiness gate condition type through which Noah takes a pod out of traffic and back. */
    public static final String TRAFFIC_GATE = "noah.io/in-traffic";

    private static String trafficGate(io.fabric8.kubernetes.api.model.PodSpec spec, io.fabric8.kubernetes.api.model.PodStatus st) {
        if (spec == null || spec.getReadinessGates() == null
                || spec.getReadinessGates().stream().noneMatch(g -> TRAFFIC_GATE.equals(g.getConditionType()))) {
            return null;
        }
        if (st != null && st.getConditions() != null) {
            for (PodCondition c : st.getConditions()) {
                if (TRAFFIC_GATE.equals(c.getType())) {
                    return Strings.of(c.getStatus());
                }
            }
        }
        return "";
    }

    /** The sum of the containers' requests of a resource, in units of 1/{@code per} (cpu in millicores: 1000). */
    public static long request(io.fabric8.kubernetes.api.model.PodSpec spec, String resource, int per) {
        if (spec == null || spec.getContainers() == null) {
            return 0;
        }
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (var c : spec.getContainers()) {
            Quantity q = c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
            if (q != null) {
                try {
                    sum = sum.add(q.getNumericalAmount());
                } catch (IllegalArgumentException e) {
                    // a quantity the API server accepted but fabric8 cannot read: counted as no request
                }
            }
        }
        return sum.multiply(java.math.BigDecimal.valueOf(per)).setScale(0, java.math.RoundingMode.CEILING).longValue();
    }

    public static DeploymentRecord deployment(String cluster, String appLabel, Deployment d) {
        var m = d.getMetadata();
        var spec = d.getSpec();
        var st = d.getStatus();
        Map<String, String> labels = Strings.labels(m.getLabels());
        Map<String, String> podLabels = spec != null && spec.getTemplate() != null && spec.getTemplate().getMetadata() != null
                ? spec.getTemplate().getMetadata().getLabels() : Map.of();
        String app = labels.get(appLabel) != null ? labels.get(appLabel) : (podLabels == null ? null : Strings.of(podLabels.get(appLabel)));
        List<String> images = spec == null || spec.getTemplate() == null || spec.getTemplate().getSpec() == null ? List.of()
                : spec.getTemplate().getSpec().getContainers().stream().map(c -> Strings.of(c.getImage())).toList();
        Map<String, String> selector = spec == null || spec.getSelector() == null ? Map.of()
                : Strings.labels(spec.getSelector().getMatchLabels());
        return new DeploymentRecord(Strings.of(cluster), Strings.of(m.getNamespace()), m.getName(), m.getUid(),
                m.getResourceVersion(), labels, app, selector,
                spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas(),
                st == null ? 0 : nz(st.getReadyReplicas()), st == null ? 0 : nz(st.getUpdatedReplicas()),
                st == null ? 0 : nz(st.getAvailableReplicas()),
                m.getGeneration() == null ? 0 : m.getGeneration(),
                st == null || st.getObservedGeneration() == null ? 0 : st.getObservedGeneration(),
                images, epoch(m.getCreationTimestamp()), spec == null ? null : TemplatePrint.of(spec.getTemplate()).hash());
    }

    public static NodeRecord node(String cluster, Node n) {
        var m = n.getMetadata();
        var st = n.getStatus();
        boolean ready = false;
        String ip = null;
        String cpu = null;
        String mem = null;
        String kubelet = null;
        if (st != null) {
            if (st.getConditions() != null) {
                for (NodeCondition c : st.getConditions()) {
                    if ("Ready".equals(c.getType())) {
                        ready = "True".equals(c.getStatus());
                    }
                }
            }
            if (st.getAddresses() != null) {
                for (NodeAddress a : st.getAddresses()) {
                    if ("InternalIP".equals(a.getType())) {
                        ip = a.getAddress();
                    }
                }
            }
            if (st.getCapacity() != null) {
                cpu = quantity(st.getCapacity().get("cpu"));
                mem = quantity(st.getCapacity().get("memory"));
            }
            if (st.getNodeInfo() != null) {
                kubelet = Strings.of(st.getNodeInfo().getKubeletVersion());
            }
        }
        var spec = n.getSpec();
        return new NodeRecord(Strings.of(cluster), m.getName(), m.getResourceVersion(), Strings.labels(m.getLabels()), ready,
                spec != null && Boolean.TRUE.equals(spec.getUnschedulable()), ip, spec == null ? null : spec.getPodCIDR(),
                cpu, mem, kubelet, epoch(m.getCreationTimestamp()),
                spec != null && spec.getTaints() != null && spec.getTaints().stream()
                        .anyMatch(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())));
    }

    private static String quantity(Quantity q) {
        return q == null ? null : Strings.of(q.toString());
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static long epoch(String timestamp) {
        if (timestamp == null) {
            return 0;
        }
        try {
            return OffsetDateTime.parse(timestamp).toEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The informer's key for an object: namespace/name, or name for cluster-scoped kinds. */
    public static String key(HasMetadata o) {
        var m = o.getMetadata();
        return m.getNamespace() == null || m.getNamespace().isEmpty() ? m.getName() : m.getNamespace() + "/" + m.getName();
    }
}
