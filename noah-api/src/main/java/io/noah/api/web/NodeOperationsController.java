package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.config.NoahProperties;
import io.noah.api.nodes.NodeOperations;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.LifecycleRequests;
import io.noah.api.web.dto.NodeOpViews;
import io.noah.cluster.nodeops.NodeDrainer;
import io.noah.cluster.nodeops.NodeOp;
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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Bulk cordon, uncordon and drain: preflight, start, progress, pause, resume, abort. */
@RestController
@RequestMapping(path = "/api/v1/node-operations", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "nodes", description = "Node labels from the CMDB, traffic weights per node")
public class NodeOperationsController {

    private final NodeOperations ops;
    private final NoahProperties props;
    private final io.noah.api.releases.ReleaseEventHub hub;

    public NodeOperationsController(NodeOperations ops, NoahProperties props, io.noah.api.releases.ReleaseEventHub hub) {
        this.hub = hub;
        this.ops = ops;
        this.props = props;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "startNodeOperation", summary = "Cordon, uncordon or drain a set of nodes under concurrency and rack caps",
            description = "dryRun: the preflight (200): per node the pods a drain evicts, those blocked and why (a PDB allowing no"
                    + " disruption now, two PDBs, no controller, local data), and per cluster whether the pods fit on the other nodes."
                    + " Otherwise the operation (201), run by one Noah instance at a time and continued after a restart. 409 when a node"
                    + " is in another active operation. Admin and ops.")
    @ApiResponse(responseCode = "200", description = "Dry run: the preflight",
            content = @Content(schema = @Schema(implementation = NodeOpViews.Preflight.class)))
    @ApiResponse(responseCode = "201", description = "Started", content = @Content(schema = @Schema(implementation = NodeOpViews.Operation.class)))
    public Object start(@Valid @RequestBody LifecycleRequests.NodeOperation body, @AuthenticationPrincipal NoahPrincipal caller,
                        HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        int concurrency = body.concurrency() == null ? 1 : body.concurrency();
        NodeOp.Spec spec = new NodeOp.Spec(NodeOp.Action.valueOf(body.action().toUpperCase(Locale.ROOT)), Boolean.TRUE.equals(body.uncordonAfter()),
                concurrency, body.perCluster() == null ? concurrency : body.perCluster(), body.racks() == null ? 1 : body.racks(),
                Boolean.TRUE.equals(body.force()), Boolean.TRUE.equals(body.deleteLocalData()),
                java.time.Duration.ofSeconds(body.timeoutSeconds() == null ? 3600 : body.timeoutSeconds()),
                props.lifecycle().rackLabel(), body.reason());
        var nodes = ops.select(new NodeOperations.Selection(body.clusters(), body.nodes(), body.nodeSelector()), props.lifecycle().rackLabel());
        if (Boolean.TRUE.equals(body.dryRun())) {
            res.setStatus(200);
            return preflight(body.action(), ops.preflight(nodes, spec));
        }
        res.setStatus(201);
        return view(ops.start(nodes, spec, caller.name()));
    }

    @GetMapping
    @Operation(operationId = "listNodeOperations", summary = "Node operations, newest first")
    public List<NodeOpViews.Operation> list(@RequestParam(required = false) String limit) {
        return ops.list(QueryParams.limit(limit, 100, 1, 1000)).stream().map(NodeOperationsController::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getNodeOperation", summary = "A node operation: its state and each node's phase, evictions and blockers")
    public NodeOpViews.Operation get(@PathVariable String id) {
        return view(ops.require(id));
    }

    /**
     * The operation's progress as server-sent events: a "progress" event (the operation, as GET answers it) at once and
     * whenever it changes (checked every second), until it ends, at most 2 hours; a comment every 15 s while nothing
     * changes. The streams count against the instance's event-stream maximum (429 beyond it).
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamNodeOperation", summary = "The operation's progress as server-sent events, until it ends")
    public org.springframework.web.servlet.mvc.method.annotation.SseEmitter events(@PathVariable String id) {
        ops.require(id);
        return new EventStream(hub, java.time.Duration.ofHours(2)).polling("node-op-sse-" + id, java.time.Duration.ofSeconds(1), () -> {
            NodeOp op = ops.require(id);
            return new EventStream.Look(op.version(), org.springframework.web.servlet.mvc.method.annotation.SseEmitter.event()
                    .id(Long.toString(op.version())).name("progress").data(view(op), MediaType.APPLICATION_JSON), op.state().ended());
        });
    }

    @PostMapping("/{id}/{action:pause|resume|abort}")
    @Operation(operationId = "actOnNodeOperation", summary = "Pause, resume or abort a node operation (abort leaves the nodes cordoned)",
            description = "Admin and ops.")
    public NodeOpViews.Operation act(@PathVariable String id, @PathVariable String action,
                                     @Valid @RequestBody(required = false) LifecycleRequests.Reasoned body,
                                     @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        return view(ops.act(id, action, caller.name(), reason));
    }

    static NodeOpViews.Operation view(NodeOp op) {
        Map<String, Integer> counts = new TreeMap<>();
        op.nodes().forEach(n -> counts.merge(n.phase().name().toLowerCase(Locale.ROOT), 1, Integer::sum));
        var s = op.spec();
        return new NodeOpViews.Operation(op.id(), s.action().name().toLowerCase(Locale.ROOT), op.state().name().toLowerCase(Locale.ROOT),
                op.message(), op.createdBy(), op.createdAt(), op.updatedAt(), op.finishedAt(), s.concurrency(), s.perCluster(), s.racks(),
                s.uncordonAfter(), s.force(), s.deleteLocalData(), s.timeout().toSeconds(), s.reason(), counts,
                op.nodes().stream().map(n -> new NodeOpViews.Node(n.cluster(), n.node(), n.rack(), n.phase().name().toLowerCase(Locale.ROOT),
                        n.evicted(), n.blocked().stream().map(b -> new NodeOpViews.Blocker(b.namespace(), b.pod(), b.reason(), b.pdb(),
                                b.disruptionsAllowed(), b.currentHealthy(), b.desiredHealthy(), b.permanent())).toList(),
                        n.startedAt(), n.finishedAt(), n.error())).toList());
    }

    private static NodeOpViews.Pod pod(NodeDrainer.Verdict v, String reason) {
        return new NodeOpViews.Pod(v.namespace(), v.pod(), reason, v.pdb(), v.disruptionsAllowed(), v.currentHealthy(), v.desiredHealthy(),
                v.cpuMilli(), v.memoryBytes());
    }

    static NodeOpViews.Preflight preflight(String action, NodeOperations.Preflight p) {
        return new NodeOpViews.Preflight(action, p.nodes().stream().map(n -> {
            List<NodeOpViews.Pod> evict = new java.util.ArrayList<>();
            List<NodeOpViews.Pod> blocked = new java.util.ArrayList<>();
            List<NodeOpViews.Pod> skipped = new java.util.ArrayList<>();
            for (var v : n.pods()) {
                switch (v.kind()) {
                    case SKIP, TERMINATING -> skipped.add(pod(v, v.reason()));
                    case BLOCK -> blocked.add(pod(v, v.reason()));
                    case EVICT -> {
                        if (v.disruptionsAllowed() != null && v.disruptionsAllowed() == 0) {
                            blocked.add(pod(v, "PodDisruptionBudget " + v.pdb() + " allows no disruption now (healthy " + v.currentHealthy()
                                    + ", desired " + v.desiredHealthy() + "): the drain waits for it"));
                        } else {
                            evict.add(pod(v, null));
                        }
                    }
                }
            }
            return new NodeOpViews.PreflightNode(n.cluster(), n.node(), n.rack(), evict, blocked, skipped);
        }).toList(), p.capacity().stream().map(c -> new NodeOpViews.Capacity(c.cluster(), c.pods(), c.placeable(), c.neededCpuMilli(),
                c.neededMemoryBytes(), c.freeCpuMilli(), c.freeMemoryBytes(), c.shortCpuMilli(), c.shortMemoryBytes(), c.fits())).toList());
    }
}
