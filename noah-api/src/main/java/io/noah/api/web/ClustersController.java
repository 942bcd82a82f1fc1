package io.noah.api.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.noah.api.audit.AuditFilter;
import io.noah.api.clusters.ClusterService;
import io.noah.api.web.dto.ClusterRequests;
import io.noah.api.web.dto.Views;
import io.noah.cluster.registry.ClusterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The cluster registry: register, list, inspect, change, remove clusters at run time. */
@RestController
@RequestMapping(path = "/api/v1/clusters", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "clusters", description = "The cluster registry: register, list, inspect, change and remove clusters at run time")
public class ClustersController {

    private final ClusterService clusters;
    private final ClusterRegistry registry;

    public ClustersController(ClusterService clusters, ClusterRegistry registry) {
        this.clusters = clusters;
        this.registry = registry;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createCluster", summary = "Register a cluster",
            description = "By kubeconfig (inline data only: exec, auth-provider and file paths are refused) or by server + token + CA. "
                    + "Admin and ops.")
    public Views.Cluster create(@Valid @RequestBody ClusterRequests.Create body, HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        String name = clusters.create(body);
        registry.probe(registry.require(name));
        res.setHeader("Location", "/api/v1/clusters/" + name);
        return view(name);
    }

    /** Every cluster Noah knows, in name order: registered ones, and those it refused to register (with the reason). */
    @GetMapping
    @Operation(operationId = "listClusters", summary = "List every cluster Noah knows, with reachability, versions, counts and freshness",
            description = "Clusters Noah refused to register (e.g. a stored kubeconfig it no longer accepts) are listed with their error.")
    public List<Views.Cluster> list(@Parameter(description = "only clusters of this IDC") @RequestParam(required = false) String idc) {
        List<Views.Cluster> all = new ArrayList<>();
        registry.all().forEach(h -> all.add(ViewMapper.cluster(h)));
        clusters.refused().values().forEach(r -> all.add(ViewMapper.refused(r)));
        all.sort(Comparator.comparing(Views.Cluster::name));
        return all.stream().filter(c -> idc == null || idc.equals(c.idc())).toList();
    }

    @GetMapping("/{name}")
    @Operation(operationId = "getCluster", summary = "One cluster")
    public Views.Cluster get(@PathVariable String name) {
        return view(name);
    }

    private Views.Cluster view(String name) {
        return registry.get(name).map(ViewMapper::cluster)
                .orElseGet(() -> clusters.refused(name).map(ViewMapper::refused).orElseGet(() -> ViewMapper.cluster(registry.require(name))));
    }

    @PatchMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "updateCluster", summary = "Change a cluster (maintenance, pool, labels, IDC, connection)",
            description = "Declared clusters: maintenance, pool and labels only (409 cluster-declared-in-config otherwise). Admin and ops.")
    public Views.Cluster patch(@PathVariable String name, @Valid @RequestBody ClusterRequests.Patch body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        return view(clusters.patch(name, body));
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteCluster", summary = "Remove a cluster registered through the API", description = "Admin and ops.")
    public void delete(@PathVariable String name) {
        clusters.delete(name);
    }
}
