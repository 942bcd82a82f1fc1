package io.noah.api.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.noah.api.web.dto.Views;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.DeploymentFilter;
import io.noah.cluster.query.Inventory;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.query.PodFilter;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Reads across clusters, answered from the caches (never a live LIST). */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "inventory", description = "Pods, Deployments, nodes and apps across every cluster, answered from the caches")
public class InventoryController {

    private static final Set<String> PHASES = Set.of("Pending", "Running", "Succeeded", "Failed", "Unknown");
    private static final String CLUSTERS = "cluster names, comma-separated (404 cluster-not-found for an unknown one)";
    private static final String SELECTOR = "a Kubernetes label selector: a=b, a!=b, a in (x,y), a notin (x), a, !a";
    private static final String CONTINUE = "the continueToken of the previous page (the same filters)";

    private final Inventory inventory;
    private final ClusterRegistry registry;

    public InventoryController(Inventory inventory, ClusterRegistry registry) {
        this.inventory = inventory;
        this.registry = registry;
    }

    @GetMapping("/pods")
    @Operation(operationId = "listPods", summary = "Pods across clusters, filtered and paged in a stable order (cluster, namespace/name)",
            description = "Every response says how fresh each cluster's data is (clusters[]).")
    public Views.Page<Views.Pod> pods(@Parameter(description = CLUSTERS) @RequestParam(required = false) String cluster,
                                      @RequestParam(required = false) String idc,
                                      @RequestParam(required = false) String namespace, @RequestParam(required = false) String app,
                                      @Parameter(description = SELECTOR) @RequestParam(required = false) String labelSelector,
                                      @RequestParam(required = false) String node,
                                      @Parameter(schema = @Schema(type = "string", pattern = "^[0-9a-fA-F:.]{2,45}$"))
                                      @RequestParam(required = false) String ip,
                                      @Parameter(schema = @Schema(type = "string", allowableValues = {"Pending", "Running", "Succeeded", "Failed", "Unknown"}))
                                      @RequestParam(required = false) String phase,
                                      @Parameter(schema = @Schema(type = "boolean")) @RequestParam(required = false) String ready,
                                      @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "5000", defaultValue = "500"))
                                      @RequestParam(required = false) String limit,
                                      @Parameter(description = CONTINUE) @RequestParam(name = "continue", required = false) String continueToken) {
        if (phase != null && !PHASES.contains(phase)) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "phase",
                    "phase must be one of Pending, Running, Succeeded, Failed, Unknown");
        }
        if (ip != null && !ip.matches("[0-9a-fA-F:.]{2,45}")) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "ip", "ip is not an IP address: " + ip);
        }
        var page = inventory.pods(new PodFilter(clusters(cluster), idc, namespace, app, LabelSelector.parse(labelSelector),
                node, ip, phase, QueryParams.bool("ready", ready)), QueryParams.limit(limit, 500, 1, Inventory.MAX_LIMIT), continueToken);
        return new Views.Page<>(page.items().stream().map(ViewMapper.pod(registry)).toList(), page.continueToken(),
                ViewMapper.freshness(registry));
    }

    @GetMapping("/clusters/{cluster}/namespaces/{namespace}/pods/{name}")
    @Operation(operationId = "getPod", summary = "One pod, from its cluster's cache")
    public Views.Pod pod(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String name) {
        return ViewMapper.pod(registry).apply(inventory.pod(cluster, namespace, name));
    }

    @GetMapping("/deployments")
    @Operation(operationId = "listDeployments", summary = "Deployments across clusters, filtered and paged")
    public Views.Page<Views.Deployment> deployments(@Parameter(description = CLUSTERS) @RequestParam(required = false) String cluster,
                                                    @RequestParam(required = false) String idc,
                                                    @RequestParam(required = false) String namespace,
                                                    @RequestParam(required = false) String app,
                                                    @Parameter(description = SELECTOR) @RequestParam(required = false) String labelSelector,
                                                    @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1",
                                                            maximum = "5000", defaultValue = "500"))
                                                    @RequestParam(required = false) String limit,
                                                    @Parameter(description = CONTINUE) @RequestParam(name = "continue", required = false)
                                                    String continueToken) {
        var page = inventory.deployments(new DeploymentFilter(clusters(cluster), idc, namespace, app,
                LabelSelector.parse(labelSelector)), QueryParams.limit(limit, 500, 1, Inventory.MAX_LIMIT), continueToken);
        return new Views.Page<>(page.items().stream().map(ViewMapper.deployment(registry)).toList(), page.continueToken(),
                ViewMapper.freshness(registry));
    }

    @GetMapping("/nodes")
    @Operation(operationId = "listNodes", summary = "Nodes across clusters")
    public Views.Page<Views.Node> nodes(@Parameter(description = CLUSTERS) @RequestParam(required = false) String cluster,
                                        @Parameter(description = SELECTOR) @RequestParam(required = false) String labelSelector) {
        return new Views.Page<>(inventory.nodes(clusters(cluster), LabelSelector.parse(labelSelector)).stream()
                .map(ViewMapper::node).toList(), null, ViewMapper.freshness(registry));
    }

    @GetMapping("/apps")
    @Operation(operationId = "listApps", summary = "Every app (the app label of Deployments) with its pods per cluster")
    public List<Views.App> apps() {
        Map<String, List<ClusterHandle>> byApp = new TreeMap<>();
        for (ClusterHandle h : registry.all()) {
            Set<String> apps = new LinkedHashSet<>();
            h.cache().deployments().records().values().forEach(d -> {
                if (d.app() != null) {
                    apps.add(d.app());
                }
            });
            apps.forEach(a -> byApp.computeIfAbsent(a, k -> new ArrayList<>()).add(h));
        }
        return byApp.keySet().stream().map(this::app).toList();
    }

    @GetMapping("/apps/{app}")
    @Operation(operationId = "getApp", summary = "One app: its Deployments and pods per cluster")
    public Views.App app(@PathVariable String app) {
        List<Views.AppInCluster> in = new ArrayList<>();
        int pods = 0;
        int ready = 0;
        for (ClusterHandle h : registry.all()) {
            List<Views.AppDeployment> ds = h.cache().deployments().records().values().stream()
                    .filter(d -> app.equals(d.app()))
                    .map((DeploymentRecord d) -> new Views.AppDeployment(d.namespace(), d.name(), d.replicas(), d.readyReplicas(), d.images()))
                    .toList();
            int p = 0;
            int r = 0;
            for (PodRecord pod : h.cache().pods().records().values()) {
                if (app.equals(pod.app()) && !pod.terminating()) {
                    p++;
                    if (pod.ready()) {
                        r++;
                    }
                }
            }
            if (!ds.isEmpty() || p > 0) {
                in.add(new Views.AppInCluster(h.name(), h.spec().idc(), ds, p, r));
                pods += p;
                ready += r;
            }
        }
        if (in.isEmpty()) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "no Deployment or pod of app '" + app + "' in any cluster");
        }
        return new Views.App(app, pods, ready, in);
    }

    private Set<String> clusters(String cluster) {
        if (cluster == null || cluster.isBlank()) {
            return null;
        }
        return Arrays.stream(cluster.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
