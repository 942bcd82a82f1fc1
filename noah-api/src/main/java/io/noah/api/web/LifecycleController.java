package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.audit.AuditService;
import io.noah.api.config.NoahProperties;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.LifecycleRequests;
import io.noah.api.web.dto.LifecycleViews;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.Endpoints;
import io.noah.cluster.ops.MaintenancePdbs;
import io.noah.cluster.ops.PodChange;
import io.noah.cluster.ops.PodIsolation;
import io.noah.cluster.ops.PodTraffic;
import io.noah.cluster.ops.TrafficWeights;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.query.RackSpread;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Lifecycle helpers: a pod out of traffic and back, a pod isolated for debugging, PDBs for a maintenance, the rack
 * spread report and the health-check templates per app type. Each write is checked in the cluster, not trusted.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "lifecycle", description = "Pod traffic, isolation, maintenance PDBs, rack spread, health checks per app type")
public class LifecycleController {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private final ClusterRegistry registry;
    private final PodTraffic traffic;
    private final PodIsolation isolation;
    private final MaintenancePdbs pdbs;
    private final TrafficWeights weightsOf;
    private final AuditService audit;
    private final NoahProperties props;
    private final Clock clock;

    public LifecycleController(ClusterRegistry registry, PodTraffic traffic, PodIsolation isolation, MaintenancePdbs pdbs,
                               AuditService audit, NoahProperties props, Clock clock, TrafficWeights weightsOf) {
        this.weightsOf = weightsOf;
        this.registry = registry;
        this.traffic = traffic;
        this.isolation = isolation;
        this.pdbs = pdbs;
        this.audit = audit;
        this.props = props;
        this.clock = clock;
    }

    private static void names(String namespace, String pod) {
        if (!DNS_LABEL.matcher(namespace).matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_NAME, "namespace", "not a namespace name: " + namespace);
        }
        if (pod.length() > 253 || !DNS_SUBDOMAIN.matcher(pod).matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_NAME, "pod", "not a pod name: " + pod);
        }
    }

    private static String reason(LifecycleRequests.Reasoned body) {
        return body == null ? null : body.reason();
    }

    // ---- traffic

    @PostMapping(path = "/clusters/{cluster}/namespaces/{namespace}/pods/{pod}/out-of-traffic")
    @Operation(operationId = "takePodOutOfTraffic", summary = "Take a pod out of traffic; it keeps running",
            description = "Sets the pod's noah.io/in-traffic readiness gate False (409 no-traffic-gate when the pod has no such gate) and"
                    + " waits until the pod is not Ready and no EndpointSlice entry of it is ready. Admin and ops.")
    public LifecycleViews.Traffic out(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String pod,
                                      @Valid @RequestBody(required = false) LifecycleRequests.Reasoned body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason(body));
        names(namespace, pod);
        return view(traffic.out(cluster, namespace, pod));
    }

    @PostMapping(path = "/clusters/{cluster}/namespaces/{namespace}/pods/{pod}/in-traffic")
    @Operation(operationId = "putPodBackInTraffic", summary = "Put a pod back in traffic",
            description = "Sets the pod's noah.io/in-traffic readiness gate True and waits until the pod is Ready and its EndpointSlice"
                    + " entries are ready. Admin and ops.")
    public LifecycleViews.Traffic in(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String pod,
                                     @Valid @RequestBody(required = false) LifecycleRequests.Reasoned body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason(body));
        names(namespace, pod);
        return view(traffic.in(cluster, namespace, pod));
    }

    @GetMapping(path = "/clusters/{cluster}/namespaces/{namespace}/pods/{pod}/traffic")
    @Operation(operationId = "getPodTraffic", summary = "A pod's traffic state, read live: its gate, Ready, and EndpointSlice entries")
    public LifecycleViews.Traffic trafficState(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String pod) {
        names(namespace, pod);
        return view(traffic.state(cluster, namespace, pod));
    }

    private static List<LifecycleViews.Endpoint> endpoints(List<Endpoints.Entry> entries) {
        return entries.stream().map(e -> new LifecycleViews.Endpoint(e.service(), e.slice(), e.ready())).toList();
    }

    private static LifecycleViews.Traffic view(PodTraffic.Result r) {
        return new LifecycleViews.Traffic(r.cluster(), r.namespace(), r.pod(), r.uid(), r.inTraffic(), r.ready(), endpoints(r.endpoints()),
                r.verified(), r.waitedMillis(), r.restarts(), r.weight());
    }

    // ---- traffic weights

    /** The nodes named and/or selected in a cluster; none is a 400 (empty-selection), an unknown name a 404. */
    private List<String> nodes(ClusterHandle h, List<String> names, String selector) {
        var set = new java.util.TreeSet<String>(names == null ? List.of() : names);
        for (String n : set) {
            if (h.cache().nodes().record(n) == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND, "cluster " + h.name() + " has no node " + n);
            }
        }
        if (selector != null && !selector.isBlank()) {
            LabelSelector s = LabelSelector.parse(selector);
            h.cache().nodes().records().values().stream().filter(n -> s.matches(n.labels())).forEach(n -> set.add(n.name()));
        }
        if (set.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.EMPTY_SELECTION, "nodes", "no node of cluster " + h.name()
                    + " is named or selected");
        }
        return List.copyOf(set);
    }

    @GetMapping(path = "/traffic-weights")
    @Operation(operationId = "listTrafficWeights", summary = "The traffic weight of every pod on the chosen nodes of a cluster (from the caches)",
            description = "Nodes by name (node, repeatable) and/or a label selector on nodes (nodeSelector); 400 empty-selection when none."
                    + " Only one namespace's pods with namespace.")
    public List<LifecycleViews.Weight> weights(@RequestParam String cluster, @RequestParam(required = false) List<String> node,
                                               @RequestParam(required = false) String nodeSelector,
                                               @RequestParam(required = false) String namespace) {
        ClusterHandle h = registry.require(cluster);
        return weightsOf.podsOn(h, nodes(h, node, nodeSelector), namespace).stream()
                .map(p -> new LifecycleViews.Weight(h.name(), p.nodeName(), p.namespace(), p.name(), p.app(), p.trafficWeight())).toList();
    }

    @org.springframework.web.bind.annotation.PutMapping(path = "/traffic-weights", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "setTrafficWeights", summary = "Set the traffic weight of every pod on the chosen nodes (0: out of traffic)",
            description = "Each pod's annotation noah.io/traffic-weight, read back from the API server; each change is published on"
                    + " Noah's event stream (io.noah.pod.traffic-weight-changed). Admin and ops.")
    public LifecycleViews.WeightChanges setWeights(@Valid @RequestBody LifecycleRequests.Weights body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        ClusterHandle h = registry.require(body.cluster());
        var pods = weightsOf.podsOn(h, nodes(h, body.nodes(), body.nodeSelector()), body.namespace());
        var changes = weightsOf.set(h.name(), pods, body.weight()).stream().map(c -> new LifecycleViews.WeightChange(c.cluster(),
                c.namespace(), c.pod(), c.node(), c.before(), c.after(), c.applied(), c.error())).toList();
        return new LifecycleViews.WeightChanges(changes.size(), (int) changes.stream().filter(LifecycleViews.WeightChange::applied).count(), changes);
    }

    // ---- isolation

    @PostMapping(path = "/clusters/{cluster}/namespaces/{namespace}/pods/{pod}/isolate")
    @Operation(operationId = "isolatePod", summary = "Isolate a pod for debugging: out of its ReplicaSet (which replaces it) and out of traffic",
            description = "Its labels become name-bk=<deployment>, pod-status=isolate (configurable) and an expiry; the original labels are kept"
                    + " in the annotation noah.io/original-labels. Waits until the Deployment is back at its ready replicas. 409 not-isolatable"
                    + " for a pod that no ReplicaSet owns, that is terminating or isolated already. Admin and ops.")
    public LifecycleViews.Isolation isolate(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String pod,
                                            @Valid @RequestBody(required = false) LifecycleRequests.Isolate body,
                                            @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        names(namespace, pod);
        var cfg = props.lifecycle().isolation();
        Duration ttl = body == null || body.ttlSeconds() == null ? cfg.defaultTtl() : Duration.ofSeconds(body.ttlSeconds());
        if (ttl.compareTo(cfg.maxTtl()) > 0) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "ttlSeconds",
                    "ttlSeconds may be at most " + cfg.maxTtl().toSeconds() + " (noah.lifecycle.isolation.max-ttl)");
        }
        var r = isolation.isolate(cluster, namespace, pod, clock.instant().plus(ttl), caller.name(), reason);
        return new LifecycleViews.Isolation(r.cluster(), r.namespace(), r.pod(), r.deployment(), r.expiresAt(), r.originalLabels(),
                r.replaced(), r.deploymentReplicas(), r.deploymentReady(), endpoints(r.endpoints()), r.waitedMillis());
    }

    @GetMapping(path = "/isolated-pods")
    @Operation(operationId = "listIsolatedPods", summary = "Isolated pods across clusters (from the caches)")
    public List<LifecycleViews.IsolatedPod> isolated(@RequestParam(required = false) String cluster,
                                                     @RequestParam(required = false) String namespace) {
        return isolatedPods(cluster, namespace);
    }

    private List<LifecycleViews.IsolatedPod> isolatedPods(String cluster, String namespace) {
        List<ClusterHandle> clusters = cluster == null ? registry.all() : List.of(registry.require(cluster));
        List<LifecycleViews.IsolatedPod> out = new ArrayList<>();
        for (ClusterHandle h : clusters) {
            for (var i : isolation.isolated(h)) {
                if (namespace == null || namespace.equals(i.namespace())) {
                    out.add(new LifecycleViews.IsolatedPod(i.cluster(), i.namespace(), i.pod(), i.deployment(), i.node(), i.expiresAt(), i.running()));
                }
            }
        }
        out.sort(Comparator.comparing(LifecycleViews.IsolatedPod::cluster).thenComparing(LifecycleViews.IsolatedPod::namespace)
                .thenComparing(LifecycleViews.IsolatedPod::pod));
        return out;
    }

    @DeleteMapping(path = "/isolated-pods/{cluster}/{namespace}/{pod}")
    @Operation(operationId = "deleteIsolatedPod", summary = "Delete an isolated pod (409 for a pod that is not isolated)",
            description = "The reason for the audit log in the X-Noah-Reason header. Admin and ops.")
    public LifecycleViews.Deletion deleteIsolated(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String pod) {
        names(namespace, pod);
        return new LifecycleViews.Deletion(cluster, namespace, pod, isolation.delete(cluster, namespace, pod));
    }

    @PostMapping(path = "/isolated-pods/delete", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "deleteIsolatedPods", summary = "Delete isolated pods at once: all, or a cluster's and/or a namespace's",
            description = "Each deletion is audited with the caller and the reason. Admin and ops.")
    public List<LifecycleViews.Deletion> deleteAll(@Valid @RequestBody LifecycleRequests.DeleteIsolated body,
                                                   @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        List<LifecycleViews.Deletion> out = new ArrayList<>();
        for (var i : isolatedPods(body.cluster(), body.namespace())) {
            boolean deleted = isolation.delete(i.cluster(), i.namespace(), i.pod());
            if (deleted) {
                audit.record(caller.name(), "DELETE /api/v1/isolated-pods/{cluster}/{namespace}/{pod}", "DELETE",
                        "/api/v1/isolated-pods/" + i.cluster() + "/" + i.namespace() + "/" + i.pod(), 200, body.reason());
            }
            out.add(new LifecycleViews.Deletion(i.cluster(), i.namespace(), i.pod(), deleted));
        }
        return out;
    }

    // ---- maintenance PDBs

    @PostMapping(path = "/maintenance-pdbs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createMaintenancePdbs", summary = "PodDisruptionBudgets for a maintenance, one per Deployment in scope",
            description = "Skips Deployments an existing PDB covers and refuses those an existing PDB selects in part (a pod under two PDBs"
                    + " can never be evicted); the numbers are per Deployment as the disruption controller computes them (a percentage"
                    + " rounds up). dryRun: the plan only (200). Otherwise 201. Admin and ops.")
    @ApiResponse(responseCode = "200", description = "Dry run: what would be created, skipped and refused",
            content = @Content(schema = @Schema(implementation = LifecycleViews.PdbPlan.class)))
    @ApiResponse(responseCode = "201", description = "Created (and skipped, refused) per Deployment",
            content = @Content(schema = @Schema(implementation = LifecycleViews.PdbPlan.class)))
    public LifecycleViews.PdbPlan createPdbs(@Valid @RequestBody LifecycleRequests.MaintenancePdb body,
                                             @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        MaintenancePdbs.validateId(body.id());
        String budgetText = body.maxUnavailable() == null ? props.lifecycle().pdbMaxUnavailable() : body.maxUnavailable();
        var budget = MaintenancePdbs.budget(budgetText);
        List<String> clusters = body.clusters() == null ? List.of() : body.clusters();
        for (String c : clusters) {
            if (registry.get(c).isEmpty()) {
                throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, "clusters", "cluster " + c + " is not registered");
            }
        }
        List<String> namespaces = body.namespaces() == null ? List.of() : body.namespaces();
        for (String ns : namespaces) {
            if (!DNS_LABEL.matcher(ns).matches()) {
                throw NoahException.invalid(NoahException.Reason.INVALID_NAME, "namespaces", "not a namespace name: " + ns);
            }
        }
        boolean dryRun = Boolean.TRUE.equals(body.dryRun());
        var items = pdbs.apply(body.id(), new MaintenancePdbs.Scope(clusters, namespaces, LabelSelector.parse(body.selector())),
                budget, dryRun, caller.name(), body.reason());
        Map<String, Integer> counts = new TreeMap<>();
        List<LifecycleViews.PdbItem> views = new ArrayList<>();
        for (var i : items) {
            String action = i.action().name().toLowerCase(Locale.ROOT);
            counts.merge(action, 1, Integer::sum);
            views.add(new LifecycleViews.PdbItem(i.cluster(), i.namespace(), i.deployment(), action, i.pdb(), i.existing(), i.replicas(),
                    i.maxUnavailable(), i.minHealthy(), i.detail()));
        }
        res.setStatus(dryRun ? 200 : 201);
        return new LifecycleViews.PdbPlan(body.id(), dryRun, budget, counts, views);
    }

    @GetMapping(path = "/maintenance-pdbs/{id}")
    @Operation(operationId = "getMaintenancePdbs", summary = "A maintenance's PDBs in every cluster, with the disruption controller's figures")
    public LifecycleViews.Pdbs getPdbs(@PathVariable String id) {
        return new LifecycleViews.Pdbs(id, pdbs.list(id).stream().map(b -> new LifecycleViews.Pdb(b.cluster(), b.namespace(), b.name(),
                b.deployment(), b.maxUnavailable(), b.expectedPods(), b.currentHealthy(), b.desiredHealthy(), b.disruptionsAllowed())).toList());
    }

    @DeleteMapping(path = "/maintenance-pdbs/{id}")
    @Operation(operationId = "deleteMaintenancePdbs", summary = "Remove all of a maintenance's PDBs in every cluster",
            description = "Lists again after deleting: complete is true when none is left anywhere. The reason for the audit log in the"
                    + " X-Noah-Reason header. Admin and ops.")
    public LifecycleViews.Removal deletePdbs(@PathVariable String id) {
        var removals = pdbs.remove(id);
        int deleted = removals.stream().mapToInt(MaintenancePdbs.Removal::deleted).sum();
        boolean complete = removals.stream().allMatch(r -> r.remaining() == 0);
        return new LifecycleViews.Removal(id, deleted, complete, removals.stream()
                .map(r -> new LifecycleViews.RemovalCluster(r.cluster(), r.deleted(), r.remaining(), r.error())).toList());
    }

    // ---- rack spread, app types

    @GetMapping(path = "/rack-spread")
    @Operation(operationId = "getRackSpread", summary = "Apps whose pods sit on fewer racks than they could, and nodes without a rack label",
            description = "From the caches. Racks count when they have a schedulable node (Ready, not cordoned, no NoSchedule/NoExecute taint).")
    public LifecycleViews.RackSpread rackSpread(@RequestParam(required = false) String cluster) {
        List<ClusterHandle> clusters = cluster == null ? registry.all() : List.of(registry.require(cluster));
        var r = RackSpread.of(clusters, props.lifecycle().rackLabel());
        return new LifecycleViews.RackSpread(r.rackLabel(), r.racks(),
                r.underSpread().stream().map(a -> new LifecycleViews.SpreadApp(a.cluster(), a.namespace(), a.app(), a.pods(), a.racks(), a.possible())).toList(),
                r.nodesWithoutRack().stream().map(n -> new LifecycleViews.NodeRef(n.cluster(), n.name())).toList());
    }

    @GetMapping(path = "/app-types")
    @Operation(operationId = "listAppTypes", summary = "The health-check templates per app type (noah.lifecycle.app-types)")
    public List<LifecycleViews.AppType> appTypes() {
        return props.lifecycle().appTypes().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new LifecycleViews.AppType(e.getKey(), probe(e.getValue().readiness()), probe(e.getValue().liveness()),
                        probe(e.getValue().startup()))).toList();
    }

    private static LifecycleViews.Probe probe(PodChange.Probe p) {
        return p == null ? null : new LifecycleViews.Probe(p.type(), p.path(), p.port(), p.command(), p.initialDelaySeconds(),
                p.periodSeconds(), p.timeoutSeconds(), p.failureThreshold());
    }

    @GetMapping(path = "/apps/{app}/health-checks")
    @Operation(operationId = "getAppHealthChecks", summary = "An app's Deployments in every pool: the app type (health-check template) each"
            + " was released with and whether its pods pass (ready of total)")
    public LifecycleViews.AppHealth appHealth(@PathVariable String app, @RequestParam(required = false) String namespace) {
        if (!LabelSelector.isValidValue(app) || app.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "app", "not an app label value: " + app);
        }
        List<LifecycleViews.HealthDeployment> out = new ArrayList<>();
        for (ClusterHandle h : registry.all()) {
            for (DeploymentRecord d : h.cache().deployments().records().values()) {
                if (!app.equals(d.app()) || namespace != null && !namespace.equals(d.namespace())) {
                    continue;
                }
                int pods = 0;
                int ready = 0;
                for (PodRecord p : h.cache().pods().records().values()) {
                    if (p.namespace().equals(d.namespace()) && !p.terminating() && !d.selector().isEmpty()
                            && d.selector().entrySet().stream().allMatch(e -> e.getValue().equals(p.labels().get(e.getKey())))) {
                        pods++;
                        ready += p.ready() ? 1 : 0;
                    }
                }
                String type = d.labels().get(PodChange.APP_TYPE);
                out.add(new LifecycleViews.HealthDeployment(h.name(), d.namespace(), d.name(), type,
                        type != null && props.lifecycle().appTypes().containsKey(type), d.replicas(), pods, ready, pods > 0 && ready == pods));
            }
        }
        out.sort(Comparator.comparing(LifecycleViews.HealthDeployment::cluster).thenComparing(LifecycleViews.HealthDeployment::namespace)
                .thenComparing(LifecycleViews.HealthDeployment::deployment));
        return new LifecycleViews.AppHealth(app, out);
    }
}
