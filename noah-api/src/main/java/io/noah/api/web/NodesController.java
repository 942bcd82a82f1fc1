package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.nodes.NodeLabelsService;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.LifecycleRequests;
import io.noah.api.web.dto.LifecycleViews;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.NodeLabelSync;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Node operations: labels from the CMDB (pulled or pushed). */
@RestController
@RequestMapping(path = "/api/v1/node-labels", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "nodes", description = "Node labels from the CMDB, traffic weights per node")
public class NodesController {

    private final NodeLabelsService labels;

    public NodesController(NodeLabelsService labels) {
        this.labels = labels;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "pushNodeLabels", summary = "Node labels pushed by a CMDB, applied with server-side apply under Noah's field manager",
            description = "Each entry is a node's complete set of CMDB labels: labels Noah applied before and the entry no longer lists are"
                    + " removed; labels someone else set are never touched (a different value is reported as a conflict). Only"
                    + " noah.nodes.cmdb.allowed-labels are applied. dryRun: the diff only. Admin and ops.")
    public LifecycleViews.NodeLabelReport push(@Valid @RequestBody LifecycleRequests.NodeLabelsPush body,
                                               @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        var entries = body.nodes().stream().map(e -> new NodeLabelSync.Entry(e.cluster(), e.node(),
                e.labels() == null ? java.util.Map.of() : e.labels())).toList();
        return view(labels.push(entries, Boolean.TRUE.equals(body.dryRun()), caller.name(), body.reason()));
    }

    @PostMapping(path = "/pull", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "pullNodeLabels", summary = "Read the configured CMDB now and sync node labels (dryRun: the diff only)",
            description = "409 when no CMDB is configured; 502 cmdb-unavailable when it does not answer well. Admin and ops.")
    public LifecycleViews.NodeLabelReport pull(@Valid @RequestBody(required = false) LifecycleRequests.NodeLabelsPull body,
                                               @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        return view(labels.pull(body != null && Boolean.TRUE.equals(body.dryRun()), caller.name(), reason));
    }

    @GetMapping(path = "/last")
    @Operation(operationId = "getLastNodeLabelSync", summary = "The last sync of this instance (pulled or pushed), 404 before the first")
    public LifecycleViews.NodeLabelReport last() {
        return view(labels.last().orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no node label sync has run on this instance")));
    }

    static LifecycleViews.NodeLabelReport view(NodeLabelSync.Report r) {
        return new LifecycleViews.NodeLabelReport(r.source(), r.dryRun(), r.at(), r.changedNodes(), r.errors(),
                r.nodes().stream().map(n -> new LifecycleViews.NodeLabels(n.cluster(), n.node(), n.added(), n.changed(), n.removed(), n.error())).toList(),
                r.unknownNodes().stream().map(e -> new LifecycleViews.CmdbEntry(e.cluster(), e.node(), e.labels())).toList(),
                r.notInCmdb().stream().map(n -> new LifecycleViews.NodeRef(n.cluster(), n.node())).toList(),
                r.refused().stream().map(x -> new LifecycleViews.RefusedLabel(x.node(), x.key(), x.why())).toList());
    }
}
