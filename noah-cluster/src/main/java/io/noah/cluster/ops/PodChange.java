package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ExecActionBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.TCPSocketActionBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a release changes in the pod template beyond its containers' images, env and resources: spread over racks
 * ({@code none}, {@code preferred}, {@code required}), the traffic readiness gate, and the health checks of an app
 * type. Null fields change nothing. Applied to the canary's template (so it reaches the pods through the release's
 * batches, never as a silent rolling restart of the running Deployment).
 */
public record PodChange(String rackLabel, String rackSpread, String appLabel, String app, Boolean trafficGate, String appType,
                        Probes probes) {

    /** The annotation and label that name an app's type (its health-check template). */
    public static final String APP_TYPE = "noah.io/app-type";

    /** A probe as a template describes it: {@code http} (path, port), {@code tcp} (port) or {@code exec} (command). */
    public record Probe(String type, String path, Integer port, List<String> command, Integer initialDelaySeconds,
                        Integer periodSeconds, Integer timeoutSeconds, Integer failureThreshold) {

        io.fabric8.kubernetes.api.model.Probe toKubernetes() {
            var p = new io.fabric8.kubernetes.api.model.Probe();
            switch (type) {
                case "http" -> p.setHttpGet(new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(port)).build());
                case "tcp" -> p.setTcpSocket(new TCPSocketActionBuilder().withPort(new IntOrString(port)).build());
                case "exec" -> p.setExec(new ExecActionBuilder().withCommand(command).build());
                default -> throw new IllegalArgumentException("probe type " + type);
            }
            p.setInitialDelaySeconds(initialDelaySeconds);
            p.setPeriodSeconds(periodSeconds);
            p.setTimeoutSeconds(timeoutSeconds);
            p.setFailureThreshold(failureThreshold);
            return p;
        }

        /** A problem with the template, or null when it is usable. */
        public String problem() {
            if (type == null) {
                return "type is required (http, tcp or exec)";
            }
            return switch (type) {
                case "http" -> path == null || !path.startsWith("/") ? "an http probe needs a path starting with /"
                        : port == null || port < 1 || port > 65535 ? "an http probe needs a port 1-65535" : null;
                case "tcp" -> port == null || port < 1 || port > 65535 ? "a tcp probe needs a port 1-65535" : null;
                case "exec" -> command == null || command.isEmpty() || command.stream().anyMatch(c -> c == null || c.isEmpty())
                        ? "an exec probe needs a non-empty command (argv, no shell)" : null;
                default -> "type " + type + " is not one of http, tcp, exec";
            };
        }
    }

    /** An app type's probes (any may be null). */
    public record Probes(Probe readiness, Probe liveness, Probe startup) {
    }

    /** Applies the change to a pod template; {@code containers}: the containers the health checks go to. */
    public void applyTo(PodTemplateSpec t, Set<String> containers) {
        var spec = t.getSpec();
        if (rackSpread != null) {
            List<TopologySpreadConstraint> kept = new ArrayList<>(spec.getTopologySpreadConstraints() == null ? List.of()
                    : spec.getTopologySpreadConstraints().stream().filter(c -> !rackLabel.equals(c.getTopologyKey())).toList());
            if (!"none".equals(rackSpread)) {
                // each ReplicaSet's pods spread on their own (matchLabelKeys): a release's canary is spread as it grows
                kept.add(new TopologySpreadConstraintBuilder()
                        .withMaxSkew(1).withTopologyKey(rackLabel)
                        .withWhenUnsatisfiable("required".equals(rackSpread) ? "DoNotSchedule" : "ScheduleAnyway")
                        .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels(appLabel, app).build())
                        .withMatchLabelKeys("pod-template-hash")
                        // a tainted node's rack (no pod may go there) must not hold the others' skew down
                        .withNodeTaintsPolicy("Honor")
                        .build());
            }
            spec.setTopologySpreadConstraints(kept);
        }
        if (trafficGate != null) {
            List<PodReadinessGate> gates = new ArrayList<>(spec.getReadinessGates() == null ? List.of()
                    : spec.getReadinessGates().stream().filter(g -> !PodTraffic.GATE.equals(g.getConditionType())).toList());
            if (trafficGate) {
                gates.add(new PodReadinessGate(PodTraffic.GATE));
            }
            spec.setReadinessGates(gates);
        }
        if (appType != null) {
            Map<String, String> annotations = new LinkedHashMap<>(t.getMetadata().getAnnotations() == null ? Map.of() : t.getMetadata().getAnnotations());
            annotations.put(APP_TYPE, appType);
            t.getMetadata().setAnnotations(annotations);
            for (Container c : spec.getContainers()) {
                if (probes != null && (containers.isEmpty() || containers.contains(c.getName()))) {
                    c.setReadinessProbe(probes.readiness() == null ? null : probes.readiness().toKubernetes());
                    c.setLivenessProbe(probes.liveness() == null ? null : probes.liveness().toKubernetes());
                    c.setStartupProbe(probes.startup() == null ? null : probes.startup().toKubernetes());
                }
            }
        }
    }
}
