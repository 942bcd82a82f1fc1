package io.noah.api.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.noah.api.audit.AuditFilter;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.OtherRequests;
import io.noah.api.web.dto.Views;
import io.noah.cluster.ops.DeploymentScaler;
import io.noah.cluster.registry.ClusterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Writes to workloads in one cluster. */
@RestController
@RequestMapping(path = "/api/v1/clusters/{cluster}/namespaces/{namespace}/deployments/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "workloads", description = "Writes to workloads of one cluster")
public class WorkloadController {

    private final DeploymentScaler scaler;
    private final ClusterRegistry registry;

    public WorkloadController(DeploymentScaler scaler, ClusterRegistry registry) {
        this.scaler = scaler;
        this.registry = registry;
    }

    @PutMapping(path = "/scale", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "scaleDeployment", summary = "Scale a Deployment (scale subresource)",
            description = "Admin, ops, and developers for the Deployments of their apps.")
    public Views.Scaled scale(@PathVariable String cluster, @PathVariable String namespace, @PathVariable String name,
                              @Valid @RequestBody OtherRequests.Scale body, @AuthenticationPrincipal NoahPrincipal caller,
                              HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        var h = registry.require(cluster);
        var cached = h.cache().deployments().record(namespace + "/" + name);
        if (!caller.mayActOnApp(cached == null ? null : cached.app())) {
            throw new AccessDeniedException("a developer token may scale only the Deployments of its apps");
        }
        int before = scaler.scale(cluster, namespace, name, body.replicas());
        return new Views.Scaled(cluster, namespace, name, before, body.replicas());
    }
}
