package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.Map;

/** Kubernetes label selector semantics for fabric8's {@link LabelSelector} (as the API server applies them). */
public final class Selectors {

    private Selectors() {
    }

    /**
     * Whether the selector selects an object with these labels. An empty selector selects everything; a null one
     * nothing (the PodDisruptionBudget and ReplicaSet rules).
     */
    public static boolean matches(LabelSelector s, Map<String, String> labels) {
        if (s == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (s.getMatchLabels() != null) {
            for (var e : s.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (s.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : s.getMatchExpressions()) {
                String v = l.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && r.getValues() != null && r.getValues().contains(v);
                    case "NotIn" -> v == null || r.getValues() == null || !r.getValues().contains(v);
                    case "Exists" -> l.containsKey(r.getKey());
                    case "DoesNotExist" -> !l.containsKey(r.getKey());
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
