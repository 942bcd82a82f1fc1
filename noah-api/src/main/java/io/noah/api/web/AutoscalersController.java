package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.autoscalers.JdbcAutoscalerStore;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.AutoscalerRequests;
import io.noah.api.web.dto.AutoscalerViews;
import io.noah.cluster.model.NoahException;
import io.noah.hpa.Autoscaler;
import io.noah.hpa.AutoscalerService;
import io.noah.hpa.DecisionRecord;
import io.noah.hpa.PolicySpec;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The custom autoscaler's policies: create, list, get, replace, observe/enforce, delete, and their decisions. */
@RestController
@RequestMapping(path = "/api/v1/autoscalers", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "autoscalers", description = "Autoscaler policies per app and pool, with every decision and what it was made from")
public class AutoscalersController {

    private final AutoscalerService service;
    private final JdbcAutoscalerStore store;

    public AutoscalersController(AutoscalerService service, JdbcAutoscalerStore store) {
        this.service = service;
        this.store = store;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createAutoscaler", summary = "Create an autoscaler policy for an app",
            description = "Checked against the live Deployments of each pool; 409 autoscaler-conflict when a Kubernetes "
                    + "HorizontalPodAutoscaler or a KEDA ScaledObject already scales one. Admin, ops, and developers for their apps.")
    public AutoscalerViews.Autoscaler create(@Valid @RequestBody AutoscalerRequests.Spec b, @AuthenticationPrincipal NoahPrincipal caller,
                                             HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, b.reason());
        caller.requireApp(b.app());
        Autoscaler a = service.create(spec(b), caller.name());
        res.setHeader("Location", "/api/v1/autoscalers/" + a.id());
        return view(a);
    }

    @GetMapping
    @Operation(operationId = "listAutoscalers", summary = "Autoscaler policies, by namespace and app")
    public List<AutoscalerViews.Autoscaler> list(@RequestParam(required = false) String namespace, @RequestParam(required = false) String app,
                                                 @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "1000",
                                                         defaultValue = "100"))
                                                 @RequestParam(required = false) String limit) {
        return store.list(namespace, app, QueryParams.limit(limit, 100, 1, 1000)).stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getAutoscaler", summary = "A policy, its rules per pool and the newest decision of each pool")
    public AutoscalerViews.Autoscaler get(@PathVariable String id) {
        return view(service.require(id));
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "replaceAutoscaler", summary = "Replace a policy (same app and namespace)",
            description = "Checked as on create. Admin, ops, and developers for their apps.")
    public AutoscalerViews.Autoscaler replace(@PathVariable String id, @Valid @RequestBody AutoscalerRequests.Spec b,
                                              @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, b.reason());
        caller.requireApp(service.require(id).spec().app());
        return view(service.update(id, spec(b)));
    }

    @PostMapping("/{id}/observe")
    @Operation(operationId = "observeAutoscaler", summary = "Observe mode: decisions are recorded, nothing is scaled")
    public AutoscalerViews.Autoscaler observe(@PathVariable String id, @Valid @RequestBody(required = false) AutoscalerRequests.Action body,
                                              @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return mode(id, PolicySpec.Mode.OBSERVE, body, caller, req);
    }

    @PostMapping("/{id}/enforce")
    @Operation(operationId = "enforceAutoscaler", summary = "Enforce mode: decisions scale the app")
    public AutoscalerViews.Autoscaler enforce(@PathVariable String id, @Valid @RequestBody(required = false) AutoscalerRequests.Action body,
                                              @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return mode(id, PolicySpec.Mode.ENFORCE, body, caller, req);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteAutoscaler", summary = "Delete a policy and its decisions; the replica counts stay as they are",
            description = "The reason for the audit log in the X-Noah-Reason header. Admin, ops, and developers for their apps.")
    public void delete(@PathVariable String id, @AuthenticationPrincipal NoahPrincipal caller) {
        caller.requireApp(service.require(id).spec().app());
        service.delete(id);
    }

    @GetMapping("/{id}/decisions")
    @Operation(operationId = "listAutoscalerDecisions", summary = "A policy's decisions, newest first, with their inputs",
            description = "Page with before = the previous page's next.")
    public AutoscalerViews.DecisionPage decisions(@PathVariable String id, @RequestParam(required = false) String pool,
                                                  @Parameter(schema = @Schema(type = "integer", format = "int64", minimum = "1"))
                                                  @RequestParam(required = false) String before,
                                                  @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "500",
                                                          defaultValue = "50"))
                                                  @RequestParam(required = false) String limit) {
        service.require(id);
        Long b = null;
        if (before != null) {
            try {
                b = Long.parseLong(before);
            } catch (NumberFormatException e) {
                b = -1L;
            }
            if (b < 1) {
                throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, "before", "before must be a decision id (a positive integer)");
            }
        }
        int n = QueryParams.limit(limit, 50, 1, 500);
        List<DecisionRecord> page = store.decisions(id, pool, b, n);
        String next = page.size() == n ? Long.toString(page.getLast().id()) : null;
        return new AutoscalerViews.DecisionPage(page.stream().map(AutoscalersController::decision).toList(), next);
    }

    private AutoscalerViews.Autoscaler mode(String id, PolicySpec.Mode mode, AutoscalerRequests.Action body, NoahPrincipal caller,
                                            HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body == null ? null : body.reason());
        caller.requireApp(service.require(id).spec().app());
        return view(service.mode(id, mode));
    }

    private static PolicySpec spec(AutoscalerRequests.Spec b) {
        Map<String, PolicySpec.Bounds> pools = new TreeMap<>();
        b.pools().forEach((p, x) -> pools.put(p, new PolicySpec.Bounds(x.min(), x.max())));
        List<PolicySpec.StrategySpec> strategies = b.strategies().stream()
                .map(s -> new PolicySpec.StrategySpec(s.name(), s.type(), s.target(), s.query())).toList();
        AutoscalerRequests.Tuning t = b.tuning();
        PolicySpec.Tuning tuning = t == null ? null : new PolicySpec.Tuning(t.toleranceUp(), t.toleranceDown(),
                t.upCooldownSeconds() == null ? null : Duration.ofSeconds(t.upCooldownSeconds()),
                t.downCooldownSeconds() == null ? null : Duration.ofSeconds(t.downCooldownSeconds()), t.frustration(), t.upLimitPods(),
                t.upLimitPercent());
        return new PolicySpec(b.app(), b.namespace(), pools, strategies, tuning,
                "observe".equals(b.mode()) ? PolicySpec.Mode.OBSERVE : PolicySpec.Mode.ENFORCE);
    }

    private AutoscalerViews.Autoscaler view(Autoscaler a) {
        PolicySpec s = a.spec();
        Map<String, AutoscalerViews.Bounds> pools = new TreeMap<>();
        Map<String, AutoscalerViews.Rules> rules = new TreeMap<>();
        s.pools().forEach((p, b) -> {
            pools.put(p, new AutoscalerViews.Bounds(b.min(), b.max()));
            rules.put(p, rules(DecisionRecord.RulesView.of(s.rules(p))));
        });
        List<AutoscalerViews.Decision> latest = store.latest(a.id()).stream().sorted(Comparator.comparing(DecisionRecord::pool))
                .map(AutoscalersController::decision).toList();
        return new AutoscalerViews.Autoscaler(a.id(), s.app(), s.namespace(), s.mode().name().toLowerCase(), pools,
                s.strategies().stream().map(x -> new AutoscalerViews.Strategy(x.name(), x.type(), x.target(), x.query())).toList(), rules,
                a.version(), a.createdBy(), a.createdAt(), a.updatedAt(), latest);
    }

    private static AutoscalerViews.Rules rules(DecisionRecord.RulesView r) {
        return new AutoscalerViews.Rules(r.toleranceUp(), r.toleranceDown(), r.upCooldownSeconds(), r.downCooldownSeconds(), r.frustration(),
                r.min(), r.max(), r.upLimitPods(), r.upLimitPercent());
    }

    static AutoscalerViews.Decision decision(DecisionRecord d) {
        var x = d.detail();
        return new AutoscalerViews.Decision(d.id(), d.pool(), d.at(), d.lastAt(), d.repeats(), d.mode(), d.reason(), d.current(), d.desired(),
                x.proposed(), d.applied(), x.deployment(), x.explanation(), x.frozen(), x.rateLimited(), x.clamped(), rules(x.rules()),
                x.lastScaleUp(), x.lastScaleDown(),
                x.strategies().stream().map(r -> new AutoscalerViews.StrategyResult(r.name(), r.ratio(), r.desired(), r.counted(), r.missing(),
                        r.ignored(), r.invalid())).toList(),
                x.pods().stream().map(p -> new AutoscalerViews.Pod(p.name(), p.ready(), p.cpuRequest(), p.memoryRequest(),
                        new LinkedHashMap<>(p.values()))).toList(),
                x.sourceErrors());
    }
}
