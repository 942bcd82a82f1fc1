package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * PodDisruptionBudgets for a maintenance: one per Deployment in a scope (clusters, namespaces, a label selector on
 * the Deployments), tagged {@code noah.io/maintenance=<id>}, removed together afterwards. A Deployment whose pod
 * template an existing PDB already selects is skipped (covered); one whose pods an existing PDB selects only in part
 * is refused (a pod under two PDBs can never be evicted: the eviction API answers 500 for it). The absolute numbers
 * are computed as the disruption controller computes them: a percentage of {@code maxUnavailable} rounds up.
 */
public final class MaintenancePdbs {

    private static final Logger log = LoggerFactory.getLogger(MaintenancePdbs.class);

    public static final String ID_LABEL = "noah.io/maintenance";
    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");
    private static final Pattern BUDGET = Pattern.compile("(\\d{1,5})(%?)");

    public enum Action { CREATE, CREATED, EXISTS, COVERED, OVERLAP, ERROR }

    /** What to cover: clusters (empty: all), namespaces (empty: all), a selector on the Deployments' labels. */
    public record Scope(List<String> clusters, List<String> namespaces, LabelSelector selector) {
    }

    /**
     * One Deployment's outcome: the action, the PDB's name (Noah's, or the existing ones that cover or overlap it),
     * its replicas and what the budget means for them (may be unavailable, must stay healthy).
     */
    public record Item(String cluster, String namespace, String deployment, Action action, String pdb, List<String> existing,
                       int replicas, int maxUnavailable, int minHealthy, String detail) {
    }

    /** A maintenance PDB as Kubernetes has it, with the disruption controller's figures. */
    public record Budget(String cluster, String namespace, String name, String deployment, String maxUnavailable,
                         int expectedPods, int currentHealthy, int desiredHealthy, int disruptionsAllowed) {
    }

    /** What a removal did per cluster: deleted, still there after, and the error when a cluster did not answer. */
    public record Removal(String cluster, int deleted, int remaining, String error) {
    }

    private final ClusterRegistry registry;

    public MaintenancePdbs(ClusterRegistry registry) {
        this.registry = registry;
    }

    public static void validateId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "id",
                    "a maintenance id is 1 to 40 lower-case letters, digits and '-', starting and ending alphanumeric");
        }
    }

    /**
     * {@code maxUnavailable}: a count ≥ 1 or a percentage 1–100 %; 0 would block every eviction of the maintenance.
     * Returns it normalised ({@code "2"}, {@code "50%"}).
     */
    public static String budget(String text) {
        IntOrString b = parse(text);
        return b.getIntVal() != null ? b.getIntVal().toString() : b.getStrVal();
    }

    private static IntOrString parse(String text) {
        var m = text == null ? null : BUDGET.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "maxUnavailable", "maxUnavailable is a count (\"1\") or a percentage (\"50%\")");
        }
        int n = Integer.parseInt(m.group(1));
        boolean percent = !m.group(2).isEmpty();
        if (n < 1 || percent && n > 100) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "maxUnavailable",
                    "maxUnavailable must be at least 1 (or 1%) and a percentage at most 100%: 0 would block every drain");
        }
        return percent ? new IntOrString(n + "%") : new IntOrString(n);
    }

    /** How many of {@code replicas} pods may be unavailable: the disruption controller's rule (percentages round up). */
    public static int maxUnavailable(String text, int replicas) {
        IntOrString budget = parse(text);
        if (budget.getIntVal() != null) {
            return Math.min(budget.getIntVal(), replicas);
        }
        int pct = Integer.parseInt(budget.getStrVal().replace("%", ""));
        return (int) Math.ceil(replicas * pct / 100.0);
    }

    public static String pdbName(String deployment, String id) {
        String name = deployment + "-maint-" + id;
        return name.length() <= 253 ? name : name.substring(0, 253);
    }

    /** Plans (dry run) or creates the maintenance's PDBs; the items in a stable order (cluster, namespace, name). */
    public List<Item> apply(String id, Scope scope, String budget, boolean dryRun, String actor, String reason) {
        validateId(id);
        budget(budget);
        List<Item> out = new ArrayList<>();
        for (ClusterHandle h : clusters(scope)) {
            // the namespaces with a Deployment in scope, from the cache; then everything is read live there
            TreeSet<String> namespaces = new TreeSet<>();
            for (DeploymentRecord d : h.cache().deployments().records().values()) {
                if ((scope.namespaces().isEmpty() || scope.namespaces().contains(d.namespace())) && scope.selector().matches(d.labels())) {
                    namespaces.add(d.namespace());
                }
            }
            for (String ns : namespaces) {
                try {
                    out.addAll(namespace(h, ns, id, scope.selector(), budget, dryRun, actor, reason));
                } catch (RuntimeException e) {
                    String why = e instanceof KubernetesClientException k ? Kubernetes.translate(h.name(), k).getMessage() : e.getMessage();
                    out.add(new Item(h.name(), ns, null, Action.ERROR, null, List.of(), 0, 0, 0, why));
                }
            }
        }
        return out;
    }

    private List<Item> namespace(ClusterHandle h, String ns, String id, LabelSelector selector, String budget, boolean dryRun,
                                 String actor, String reason) {
        KubernetesClient client = dryRun ? h.client() : h.clientForWrite();
        List<Deployment> deployments = new ArrayList<>(client.apps().deployments().inNamespace(ns).list().getItems());
        deployments.sort(Comparator.comparing(d -> d.getMetadata().getName()));
        List<PodDisruptionBudget> pdbs = new ArrayList<>(client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems());
        List<PodRecord> pods = h.cache().pods().records().values().stream()
                .filter(p -> p.namespace().equals(ns) && !p.terminating()).toList();
        List<Item> out = new ArrayList<>();
        for (Deployment d : deployments) {
            Map<String, String> labels = d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels();
            if (!selector.matches(labels) || d.getSpec().getSelector() == null) {
                continue;
            }
            String name = d.getMetadata().getName();
            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            int maxU = maxUnavailable(budget, replicas);
            int minHealthy = Math.max(0, replicas - maxU);
            String own = pdbName(name, id);
            if (pdbs.stream().anyMatch(p -> p.getMetadata().getName().equals(own))) {
                out.add(new Item(h.name(), ns, name, Action.EXISTS, own, List.of(), replicas, maxU, minHealthy, "this maintenance's PDB exists"));
                continue;
            }
            Map<String, String> template = d.getSpec().getTemplate().getMetadata() == null
                    || d.getSpec().getTemplate().getMetadata().getLabels() == null ? Map.of() : d.getSpec().getTemplate().getMetadata().getLabels();
            List<PodRecord> selected = pods.stream().filter(p -> Selectors.matches(d.getSpec().getSelector(), p.labels())).toList();
            List<String> covering = new ArrayList<>();
            List<String> overlapping = new ArrayList<>();
            for (PodDisruptionBudget p : pdbs) {
                var s = p.getSpec().getSelector();
                if (Selectors.matches(s, template)) {
                    covering.add(p.getMetadata().getName());
                } else if (selected.stream().anyMatch(pod -> Selectors.matches(s, pod.labels()))) {
                    overlapping.add(p.getMetadata().getName());
                }
            }
            if (!covering.isEmpty()) {
                out.add(new Item(h.name(), ns, name, Action.COVERED, null, covering, replicas, maxU, minHealthy,
                        "already covered by " + String.join(", ", covering)));
                continue;
            }
            if (!overlapping.isEmpty()) {
                out.add(new Item(h.name(), ns, name, Action.OVERLAP, null, overlapping, replicas, maxU, minHealthy,
                        "refused: some of its pods are already selected by " + String.join(", ", overlapping)
                                + " (a pod under two PDBs can never be evicted)"));
                continue;
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("noah.io/deployment", name);
            annotations.put("noah.io/created-by", actor);
            if (reason != null && !reason.isBlank()) {
                annotations.put("noah.io/reason", reason.length() > 1000 ? reason.substring(0, 1000) : reason);
            }
            PodDisruptionBudget pdb = new PodDisruptionBudgetBuilder()
                    .withNewMetadata().withName(own).withNamespace(ns)
                    .addToLabels(ID_LABEL, id).addToLabels("app.kubernetes.io/managed-by", "noah")
                    .withAnnotations(annotations).endMetadata()
                    .withNewSpec().withSelector(d.getSpec().getSelector()).withMaxUnavailable(parse(budget)).endSpec()
                    .build();
            String detail = maxU + " of " + replicas + " may be unavailable, " + minHealthy + " must stay healthy";
            if (dryRun) {
                out.add(new Item(h.name(), ns, name, Action.CREATE, own, List.of(), replicas, maxU, minHealthy, detail));
            } else {
                try {
                    client.policy().v1().podDisruptionBudget().inNamespace(ns).resource(pdb).create();
                    log.info("created maintenance PDB {}/{} in {} ({})", ns, own, h.name(), detail);
                    out.add(new Item(h.name(), ns, name, Action.CREATED, own, List.of(), replicas, maxU, minHealthy, detail));
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    out.add(new Item(h.name(), ns, name, Action.EXISTS, own, List.of(), replicas, maxU, minHealthy, "this maintenance's PDB exists"));
                }
            }
            pdbs.add(pdb); // the next Deployments are checked against it too
        }
        return out;
    }

    private List<ClusterHandle> clusters(Scope scope) {
        if (scope.clusters().isEmpty()) {
            return registry.all().stream().sorted(Comparator.comparing(ClusterHandle::name)).toList();
        }
        return scope.clusters().stream().sorted().map(registry::require).toList();
    }

    /** The maintenance's PDBs in every registered cluster, with the disruption controller's figures. */
    public List<Budget> list(String id) {
        validateId(id);
        List<Budget> out = new ArrayList<>();
        for (ClusterHandle h : clusters(new Scope(List.of(), List.of(), LabelSelector.everything()))) {
            try {
                for (PodDisruptionBudget p : h.client().policy().v1().podDisruptionBudget().inAnyNamespace().withLabel(ID_LABEL, id).list().getItems()) {
                    var st = p.getStatus();
                    out.add(new Budget(h.name(), p.getMetadata().getNamespace(), p.getMetadata().getName(),
                            p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations().get("noah.io/deployment"),
                            p.getSpec().getMaxUnavailable() == null ? null : p.getSpec().getMaxUnavailable().toString(),
                            st == null || st.getExpectedPods() == null ? 0 : st.getExpectedPods(),
                            st == null || st.getCurrentHealthy() == null ? 0 : st.getCurrentHealthy(),
                            st == null || st.getDesiredHealthy() == null ? 0 : st.getDesiredHealthy(),
                            st == null || st.getDisruptionsAllowed() == null ? 0 : st.getDisruptionsAllowed()));
                }
            } catch (KubernetesClientException e) {
                throw Kubernetes.translate(h.name(), e);
            }
        }
        out.sort(Comparator.comparing(Budget::cluster).thenComparing(Budget::namespace).thenComparing(Budget::name));
        return out;
    }

    /** Deletes the maintenance's PDBs in every registered cluster and lists again to show nothing is left. */
    public List<Removal> remove(String id) {
        validateId(id);
        List<Removal> out = new ArrayList<>();
        for (ClusterHandle h : clusters(new Scope(List.of(), List.of(), LabelSelector.everything()))) {
            try {
                var all = h.clientForWrite().policy().v1().podDisruptionBudget().inAnyNamespace().withLabel(ID_LABEL, id);
                int deleted = 0;
                for (PodDisruptionBudget p : all.list().getItems()) {
                    h.clientForWrite().policy().v1().podDisruptionBudget().inNamespace(p.getMetadata().getNamespace())
                            .withName(p.getMetadata().getName()).delete();
                    deleted++;
                }
                int remaining = all.list().getItems().size();
                log.info("removed {} maintenance PDBs of {} in {} ({} remaining)", deleted, id, h.name(), remaining);
                out.add(new Removal(h.name(), deleted, remaining, null));
            } catch (NoahException e) {
                out.add(new Removal(h.name(), 0, -1, e.getMessage()));
            } catch (KubernetesClientException e) {
                out.add(new Removal(h.name(), 0, -1, Kubernetes.translate(h.name(), e).getMessage()));
            }
        }
        return out;
    }
}
