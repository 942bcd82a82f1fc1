package io.noah.cluster.nodeops;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.cache.Slimming;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.Selectors;
import io.noah.cluster.registry.ClusterRegistry;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a drain does to Kubernetes, as {@code kubectl drain} does it: cordon, then the Eviction API for each pod
 * (PodDisruptionBudgets decide), DaemonSet and mirror pods left alone, pods no controller manages or with local data
 * (emptyDir) only when asked, a pod under two PDBs (which the API can never evict) a blocker at once.
 */
public final class NodeDrainer {

    public enum Kind { EVICT, SKIP, BLOCK, TERMINATING }

    /** A pod on a node and what the drain does with it; {@code pdb}: the one budget that selects it, with its figures. */
    public record Verdict(String namespace, String pod, Kind kind, String reason, String pdb, Integer disruptionsAllowed,
                          Integer currentHealthy, Integer desiredHealthy, long cpuMilli, long memoryBytes,
                          Map<String, String> nodeSelector, List<io.fabric8.kubernetes.api.model.Toleration> tolerations) {
    }

    public enum Evicted { OK, GONE, BUDGET, REFUSED }

    private final ClusterRegistry registry;

    public NodeDrainer(ClusterRegistry registry) {
        this.registry = registry;
    }

    public void schedulable(String cluster, String node, boolean schedulable) {
        try {
            registry.require(cluster).clientForWrite().nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"unschedulable\":" + (schedulable ? "null" : "true") + "}}");
        } catch (KubernetesClientException e) {
            throw new NoahException(NoahException.Reason.KUBERNETES_REJECTED, "cluster " + cluster + ": node " + node + ": " + e.getMessage(), null, e);
        }
    }

    /** The pods on the node, read live, each with its verdict. */
    public List<Verdict> classify(String cluster, String node, boolean force, boolean deleteLocalData) {
        KubernetesClient client = registry.require(cluster).client();
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems();
        Map<String, List<PodDisruptionBudget>> pdbs = new HashMap<>();
        List<Verdict> out = new ArrayList<>();
        for (Pod p : pods) {
            var m = p.getMetadata();
            long cpu = Slimming.request(p.getSpec(), "cpu", 1000);
            long mem = Slimming.request(p.getSpec(), "memory", 1);
            OwnerReference owner = m.getOwnerReferences() == null ? null
                    : m.getOwnerReferences().stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
            if (m.getAnnotations() != null && m.getAnnotations().containsKey("kubernetes.io/config.mirror")) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.SKIP, "mirror pod", null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            if (owner != null && "DaemonSet".equals(owner.getKind())) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.SKIP, "DaemonSet pod", null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            if (m.getDeletionTimestamp() != null) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.TERMINATING, "terminating", null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            List<PodDisruptionBudget> mine = pdbs.computeIfAbsent(m.getNamespace(),
                    ns -> client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
                    .stream().filter(b -> Selectors.matches(b.getSpec().getSelector(), m.getLabels())).toList();
            if (owner == null && !force) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.BLOCK, "no controller manages it (force to evict)", null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            boolean localData = p.getSpec().getVolumes() != null && p.getSpec().getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null);
            if (localData && !deleteLocalData) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.BLOCK, "local data in an emptyDir (deleteLocalData to evict)",
                        null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            if (mine.size() > 1) {
                out.add(new Verdict(m.getNamespace(), m.getName(), Kind.BLOCK, "under " + mine.size() + " PodDisruptionBudgets ("
                        + String.join(", ", mine.stream().map(b -> b.getMetadata().getName()).toList()) + "): the eviction API never evicts it",
                        null, null, null, null, cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
                continue;
            }
            PodDisruptionBudget b = mine.isEmpty() ? null : mine.getFirst();
            var st = b == null ? null : b.getStatus();
            out.add(new Verdict(m.getNamespace(), m.getName(), Kind.EVICT, null, b == null ? null : b.getMetadata().getName(),
                    st == null ? null : st.getDisruptionsAllowed(), st == null ? null : st.getCurrentHealthy(),
                    st == null ? null : st.getDesiredHealthy(), cpu, mem, p.getSpec().getNodeSelector(), p.getSpec().getTolerations()));
        }
        return out;
    }

    /** One eviction through the Eviction API: OK, GONE (already), BUDGET (429: a PDB allows no disruption now), REFUSED (else). */
    public Evicted evict(String cluster, String namespace, String pod) {
        try {
            boolean ok = registry.require(cluster).clientForWrite().pods().inNamespace(namespace).withName(pod).evict();
            return ok ? Evicted.OK : Evicted.BUDGET;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Evicted.GONE;
            }
            if (e.getCode() == 429) {
                return Evicted.BUDGET;
            }
            return Evicted.REFUSED;
        }
    }

    /**
     * Per cluster: can the pods to move be placed on the other nodes? Each pod, largest CPU request first, goes to the
     * first schedulable node outside the operation whose labels match its nodeSelector, whose NoSchedule/NoExecute taints
     * it tolerates, and whose free allocatable (minus what the pods there and the pods placed before request) holds it.
     * Node affinity and topology rules are not modelled ("as far as Noah can tell").
     */
    public record Capacity(String cluster, int pods, int placeable, long neededCpuMilli, long neededMemoryBytes, long freeCpuMilli,
                           long freeMemoryBytes, long shortCpuMilli, long shortMemoryBytes) {
        public boolean fits() {
            return placeable == pods;
        }
    }

    private static final class Room {
        final Map<String, String> labels;
        final List<io.fabric8.kubernetes.api.model.Taint> taints;
        long cpu;
        long mem;

        Room(Map<String, String> labels, List<io.fabric8.kubernetes.api.model.Taint> taints, long cpu, long mem) {
            this.labels = labels;
            this.taints = taints;
            this.cpu = cpu;
            this.mem = mem;
        }

        boolean takes(Verdict v) {
            if (v.nodeSelector() != null && v.nodeSelector().entrySet().stream().anyMatch(e -> !e.getValue().equals(labels.get(e.getKey())))) {
                return false;
            }
            for (var t : taints) {
                if (("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) && (v.tolerations() == null
                        || v.tolerations().stream().noneMatch(tol -> tolerates(tol, t)))) {
                    return false;
                }
            }
            return cpu >= v.cpuMilli() && mem >= v.memoryBytes();
        }

        private static boolean tolerates(io.fabric8.kubernetes.api.model.Toleration tol, io.fabric8.kubernetes.api.model.Taint t) {
            if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(t.getEffect())) {
                return false;
            }
            if (tol.getKey() == null || tol.getKey().isEmpty()) {
                return "Exists".equals(tol.getOperator());
            }
            if (!tol.getKey().equals(t.getKey())) {
                return false;
            }
            return "Exists".equals(tol.getOperator()) || java.util.Objects.equals(tol.getValue(), t.getValue());
        }
    }

    public Capacity capacity(String cluster, Set<String> draining, List<Verdict> toMove) {
        return place(rooms(cluster, draining), toMove);
    }

    /**
     * What a cluster's schedulable, Ready nodes (minus {@code draining}) have free, read once: a plan that places several
     * sets of pods in the same cluster reads the nodes and pods once and {@link #place}s each set on a copy.
     */
    public static final class Rooms {
        private final String cluster;
        private final List<Room> rooms;

        private Rooms(String cluster, List<Room> rooms) {
            this.cluster = cluster;
            this.rooms = rooms;
        }
    }

    public Rooms rooms(String cluster, Set<String> draining) {
        var h = registry.require(cluster);
        Map<String, long[]> used = new HashMap<>();
        if (registry.settings().namespaces().isEmpty()) {
            for (PodRecord p : h.cache().pods().records().values()) {
                if (p.nodeName() != null && !p.terminating() && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase())) {
                    long[] u = used.computeIfAbsent(p.nodeName(), k -> new long[2]);
                    u[0] += p.cpuRequestMilli();
                    u[1] += p.memoryRequestBytes();
                }
            }
        } else {
            // Noah watches some namespaces only: the nodes also hold pods of the others, read live
            for (io.fabric8.kubernetes.api.model.Pod p : h.client().pods().inAnyNamespace().list().getItems()) {
                String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                if (p.getSpec().getNodeName() != null && p.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase)
                        && !"Failed".equals(phase)) {
                    long[] u = used.computeIfAbsent(p.getSpec().getNodeName(), k -> new long[2]);
                    u[0] += Slimming.request(p.getSpec(), "cpu", 1000);
                    u[1] += Slimming.request(p.getSpec(), "memory", 1);
                }
            }
        }
        List<Room> rooms = new ArrayList<>();
        for (Node n : h.client().nodes().list().getItems()) {
            boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            if (draining.contains(n.getMetadata().getName()) || Boolean.TRUE.equals(n.getSpec().getUnschedulable()) || !ready
                    || n.getStatus().getAllocatable() == null) {
                continue;
            }
            long[] u = used.getOrDefault(n.getMetadata().getName(), new long[2]);
            rooms.add(new Room(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels(),
                    n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints(),
                    Math.max(0, quantity(n.getStatus().getAllocatable().get("cpu"), 1000) - u[0]),
                    Math.max(0, quantity(n.getStatus().getAllocatable().get("memory"), 1) - u[1])));
        }
        return new Rooms(cluster, rooms);
    }

    /** First fit of {@code toMove} (largest CPU first) into a copy of {@code snapshot}: the snapshot itself is unchanged. */
    public static Capacity place(Rooms snapshot, List<Verdict> toMove) {
        List<Room> rooms = snapshot.rooms.stream().map(r -> new Room(r.labels, r.taints, r.cpu, r.mem)).toList();
        List<Verdict> pods = new ArrayList<>(toMove);
        pods.sort(java.util.Comparator.comparingLong(Verdict::cpuMilli).reversed());
        long needCpu = 0;
        long needMem = 0;
        long shortCpu = 0;
        long shortMem = 0;
        int placed = 0;
        for (Verdict v : pods) {
            needCpu += v.cpuMilli();
            needMem += v.memoryBytes();
            Room r = rooms.stream().filter(x -> x.takes(v)).findFirst().orElse(null);
            if (r == null) {
                shortCpu += v.cpuMilli();
                shortMem += v.memoryBytes();
            } else {
                r.cpu -= v.cpuMilli();
                r.mem -= v.memoryBytes();
                placed++;
            }
        }
        long freeCpu = 0;
        long freeMem = 0;
        for (Room r : rooms) {
            freeCpu += r.cpu;
            freeMem += r.mem;
        }
        return new Capacity(snapshot.cluster, pods.size(), placed, needCpu, needMem, freeCpu + needCpu - shortCpu, freeMem + needMem - shortMem,
                shortCpu, shortMem);
    }

    private static long quantity(Quantity q, int per) {
        if (q == null) {
            return 0;
        }
        try {
            return q.getNumericalAmount().multiply(BigDecimal.valueOf(per)).longValue();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }
}
