package io.noah.api.web;

import io.noah.api.advice.AdviceService;
import io.noah.api.advice.JdbcAdviceStore;
import io.noah.api.audit.AuditFilter;
import io.noah.api.config.NoahProperties;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.AdviceViews;
import io.noah.cluster.model.NoahException;
import io.noah.hpa.advice.AdviceReport;
import io.noah.hpa.advice.Formulas;
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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** App profiles, similar and complementary pairs, the overcommit factor and the six kinds of resource advice. */
@RestController
@RequestMapping(path = "/api/v1/advice", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "advice", description = "App profiling and resource advice from the metric store's history, with the evidence behind each number")
public class AdviceController {

    private final AdviceService service;
    private final JdbcAdviceStore store;
    private final NoahProperties props;
    private final Clock clock;

    public AdviceController(AdviceService service, JdbcAdviceStore store, NoahProperties props, Clock clock) {
        this.service = service;
        this.store = store;
        this.props = props;
        this.clock = clock;
    }

    @PostMapping(path = "/runs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(operationId = "startAdviceRun", summary = "Compute profiles, pairs, the overcommit factor and advice now",
            description = "Answers at once with the run (RUNNING); poll it until SUCCEEDED or FAILED. One run at a time across instances"
                    + " (409 otherwise); 409 as well when no metric store is configured. Runs also happen every noah.advice.interval"
                    + " (a week). Admin and ops.")
    public AdviceViews.Run start(@Valid @RequestBody io.noah.api.web.dto.AdviceRequests.RunRequest body, @AuthenticationPrincipal NoahPrincipal caller,
                                 HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        Duration window = body.windowDays() == null ? props.advice().window() : Duration.ofDays(body.windowDays());
        JdbcAdviceStore.Run run = service.start(caller.name(), body.reason(), window);
        res.setHeader("Location", "/api/v1/advice/runs/" + run.id());
        return view(run);
    }

    @GetMapping("/runs")
    @Operation(operationId = "listAdviceRuns", summary = "Advice runs, newest first")
    public List<AdviceViews.Run> runs(@Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "100",
            defaultValue = "20")) @RequestParam(required = false) String limit) {
        return store.list(QueryParams.limit(limit, 20, 1, 100)).stream().map(AdviceController::view).toList();
    }

    @GetMapping("/runs/{id}")
    @Operation(operationId = "getAdviceRun", summary = "An advice run: state, who started it and why, counts per kind and class")
    public AdviceViews.Run run(@PathVariable String id) {
        return view(store.get(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no advice run " + id)));
    }

    @GetMapping
    @Operation(operationId = "listAdvice", summary = "The advice of a run (default: the newest finished), by kind, highest rank first",
            description = "Kinds: cpu-up-vertical, cpu-up-horizontal, cpu-down-vertical, cpu-down-horizontal, memory-up-vertical,"
                    + " memory-down-vertical. rank is the seed's ranking (idle CPU or memory for the down kinds, the shortfall for the up"
                    + " kinds; rankBy says which); evidence is the range query, window and step that give the numbers.")
    public AdviceViews.ItemPage list(@RequestParam(required = false) String run, @RequestParam(required = false) String cluster,
                                     @RequestParam(required = false) String idc, @RequestParam(required = false) String namespace,
                                     @RequestParam(required = false) String app,
                                     @Parameter(schema = @Schema(allowableValues = {"cpu-up-vertical", "cpu-up-horizontal", "cpu-down-vertical",
                                             "cpu-down-horizontal", "memory-up-vertical", "memory-down-vertical"}))
                                     @RequestParam(required = false) String kind,
                                     @Parameter(schema = @Schema(allowableValues = {"open", "done", "dismissed"}))
                                     @RequestParam(required = false) String state,
                                     @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "5000",
                                             defaultValue = "500")) @RequestParam(required = false) String limit) {
        oneOf("kind", kind, java.util.Arrays.stream(Formulas.Kind.values()).map(k -> k.wire).toList());
        oneOf("state", state, List.of("open", "done", "dismissed"));
        int n = QueryParams.limit(limit, 500, 1, 5000);
        JdbcAdviceStore.Run r = finished(run);
        var items = store.items(r.id(), new JdbcAdviceStore.Filter(cluster, idc, namespace, app, kind, state), n);
        return new AdviceViews.ItemPage(view(r), items.stream().map(AdviceController::view).toList());
    }

    @PostMapping(path = "/{id}/done", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "markAdviceDone", summary = "Mark a piece of advice done (applied), with a reason. Admin and ops.")
    public AdviceViews.Item done(@PathVariable String id, @Valid @RequestBody io.noah.api.web.dto.AdviceRequests.Mark body, @AuthenticationPrincipal NoahPrincipal caller,
                                 HttpServletRequest req) {
        return mark(id, "done", body, caller, req);
    }

    @PostMapping(path = "/{id}/dismiss", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "dismissAdvice", summary = "Dismiss a piece of advice, with a reason",
            description = "The same advice (cluster, namespace, app, kind) stays dismissed in the next runs, with this reason. Admin and ops.")
    public AdviceViews.Item dismiss(@PathVariable String id, @Valid @RequestBody io.noah.api.web.dto.AdviceRequests.Mark body,
                                    @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return mark(id, "dismissed", body, caller, req);
    }

    private AdviceViews.Item mark(String id, String state, io.noah.api.web.dto.AdviceRequests.Mark body, NoahPrincipal caller, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        long n = itemId(id);
        return view(store.mark(n, state, caller.name(), body.reason(), clock.instant())
                .orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no advice " + id)));
    }

    @GetMapping("/profiles")
    @Operation(operationId = "listAppProfiles", summary = "App profiles of a run: class and the statistics behind it",
            description = "Per dimension (CPU and memory as fractions of requests, IO of the reference throughput) the fitted normal"
                    + " distribution (mean, std) and its 95th percentile (mean + 1.645 std); an app is intensive in the dimension whose"
                    + " fitted 95th percentile reaches noah.advice.intensive-level and is noah.advice.dominance times each other's.")
    public AdviceViews.Profiles profiles(@RequestParam(required = false) String run, @RequestParam(required = false) String cluster,
                                         @RequestParam(required = false) String idc, @RequestParam(required = false) String namespace,
                                         @RequestParam(required = false) String app,
                                         @Parameter(schema = @Schema(allowableValues = {"compute-intensive", "memory-intensive", "io-intensive",
                                                 "balanced", "insufficient-data"}))
                                         @RequestParam(name = "class", required = false) String profileClass) {
        oneOf("class", profileClass, java.util.Arrays.stream(Formulas.ProfileClass.values()).map(c -> c.wire).toList());
        JdbcAdviceStore.Run r = finished(run);
        AdviceReport rep = report(r);
        return new AdviceViews.Profiles(view(r), rep.start(), rep.end(), rep.stepSeconds(), rep.profiles().stream()
                .filter(p -> eq(cluster, p.cluster()) && eq(idc, p.idc()) && eq(namespace, p.namespace()) && eq(app, p.app())
                        && eq(profileClass, p.profileClass()))
                .toList());
    }

    @GetMapping("/pairs")
    @Operation(operationId = "listAppPairs", summary = "The top-N similar and complementary app pairs, with ready-to-apply affinity",
            description = "Distance: Euclidean, between z-normalised hourly CPU curves (0 = same shape, 9.8 = mirror images), within a"
                    + " cluster. Similar pairs peak together (anti-affinity); complementary ones take turns (affinity).")
    public AdviceViews.Pairs pairs(@RequestParam(required = false) String run, @RequestParam(required = false) String cluster) {
        JdbcAdviceStore.Run r = finished(run);
        AdviceReport rep = report(r);
        var similar = rep.similar().stream().filter(p -> eq(cluster, p.cluster())).toList();
        var complementary = rep.complementary().stream().filter(p -> eq(cluster, p.cluster())).toList();
        Map<String, List<Map<String, Object>>> affinity = new LinkedHashMap<>();
        rep.affinity().forEach((k, v) -> {
            if (cluster == null || k.startsWith(cluster + "/")) {
                affinity.put(k, v);
            }
        });
        return new AdviceViews.Pairs(view(r), similar, complementary, affinity);
    }

    @GetMapping("/overcommit")
    @Operation(operationId = "getOvercommit", summary = "The CPU overcommit factor per cluster, with its inputs",
            description = "k = T'·(M + N)/(Tm·M + Tn·N): M and N the CPUs requested by non-core and core apps (core: noah.advice.core-label),"
                    + " Tm and Tn their mean utilisation over the window, T' the target utilisation (0.9).")
    public AdviceViews.Overcommit overcommit(@RequestParam(required = false) String run, @RequestParam(required = false) String cluster,
                                             @RequestParam(required = false) String idc) {
        JdbcAdviceStore.Run r = finished(run);
        return new AdviceViews.Overcommit(view(r), report(r).overcommit().stream()
                .filter(o -> eq(cluster, o.cluster()) && eq(idc, o.idc())).toList());
    }

    private JdbcAdviceStore.Run finished(String run) {
        if (run == null) {
            return store.latestSucceeded().orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND,
                    "no advice run has finished yet: start one with POST /api/v1/advice/runs"));
        }
        JdbcAdviceStore.Run r = store.get(run).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no advice run " + run));
        if (!"SUCCEEDED".equals(r.state())) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "advice run " + run + " has no result: it is " + r.state());
        }
        return r;
    }

    private AdviceReport report(JdbcAdviceStore.Run r) {
        return store.report(r.id()).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "advice run " + r.id() + " has no report"));
    }

    private static long itemId(String id) {
        try {
            long n = Long.parseLong(id);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, "id", "an advice id is a positive integer, got '" + id + "'");
    }

    /** A query parameter with a fixed set of values: absent, or one of them (400 invalid-parameter). */
    private static void oneOf(String name, String value, List<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, name, name + " must be one of " + String.join(", ", allowed)
                    + "; got '" + value + "'");
        }
    }

    private static boolean eq(String filter, String value) {
        return filter == null || filter.equals(value);
    }

    static AdviceViews.Run view(JdbcAdviceStore.Run r) {
        return new AdviceViews.Run(r.id(), r.state(), r.trigger(), r.actor(), r.reason(), r.windowSeconds(), r.instance(), r.createdAt(),
                r.finishedAt(), r.error(), r.summary());
    }

    static AdviceViews.Item view(JdbcAdviceStore.Item i) {
        return new AdviceViews.Item(i.id(), i.runId(), i.state(), i.stateActor(), i.stateReason(), i.stateAt(), i.advice());
    }
}
