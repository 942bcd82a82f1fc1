package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.clusters.ClusterService;
import io.noah.api.web.dto.ClusterRequests;
import io.noah.api.web.dto.Views;
import io.noah.cluster.registry.ClusterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The cluster registry: register, list, inspect, change, remove clusters at run time. */
@RestController
@RequestMapping("/api/v1/clusters")
public class ClustersController {

    private final ClusterService clusters;
    private final ClusterRegistry registry;

    public ClustersController(ClusterService clusters, ClusterRegistry registry) {
        this.clusters = clusters;
        this.registry = registry;
    }

    @PostMapping
    public ResponseEntity<Views.Cluster> create(@Valid @RequestBody ClusterRequests.Create body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        String name = clusters.create(body);
        registry.probe(registry.require(name));
        return ResponseEntity.created(URI.create("/api/v1/clusters/" + name)).body(view(name));
    }

    /** Every cluster Noah knows, in name order: registered ones, and those it refused to register (with the reason). */
    @GetMapping
    public List<Views.Cluster> list(@RequestParam(required = false) String idc) {
        List<Views.Cluster> all = new ArrayList<>();
        registry.all().forEach(h -> all.add(ViewMapper.cluster(h)));
        clusters.refused().values().forEach(r -> all.add(ViewMapper.refused(r)));
        all.sort(Comparator.comparing(Views.Cluster::name));
        return all.stream().filter(c -> idc == null || idc.equals(c.idc())).toList();
    }

    @GetMapping("/{name}")
    public Views.Cluster get(@PathVariable String name) {
        return view(name);
    }

    private Views.Cluster view(String name) {
        return registry.get(name).map(ViewMapper::cluster)
                .orElseGet(() -> clusters.refused(name).map(ViewMapper::refused).orElseGet(() -> ViewMapper.cluster(registry.require(name))));
    }

    @PatchMapping("/{name}")
    public Views.Cluster patch(@PathVariable String name, @Valid @RequestBody ClusterRequests.Patch body, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        return view(clusters.patch(name, body));
    }

    @DeleteMapping("/{name}")
    @org.springframework.web.bind.annotation.ResponseStatus(HttpStatus.NO_CONTENT)
    public void delete(@PathVariable String name) {
        clusters.delete(name);
    }
}
