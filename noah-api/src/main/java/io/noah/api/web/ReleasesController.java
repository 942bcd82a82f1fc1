package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.config.NoahProperties;
import io.noah.cluster.ops.PodChange;
import io.noah.api.releases.ReleaseEventHub;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.ReleaseRequests;
import io.noah.api.web.dto.ReleaseViews;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.release.Release;
import io.noah.release.ReleaseService;
import io.noah.release.ReleaseSpec;
import io.noah.release.ReleaseState;
import io.noah.release.ReleaseStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import jakarta.servlet.http.HttpServletResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Canary batch releases: start, inspect, gate actions, and a server-sent event stream of the history. */
@RestController
@RequestMapping(path = "/api/v1/releases", produces = org.springframework.http.MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "releases", description = "Canary batch releases with two Deployments: start, inspect, gate actions, event stream")
public class ReleasesController {

    private final ReleaseService releases;
    private final ReleaseStore store;
    private final ClusterRegistry registry;
    private final ReleaseEventHub hub;
    private final NoahProperties props;
    private final io.noah.release.migrate.MigrationService migrations;

    public ReleasesController(ReleaseService releases, ReleaseStore store, ClusterRegistry registry, ReleaseEventHub hub,
                              NoahProperties props, io.noah.release.migrate.MigrationService migrations) {
        this.props = props;
        this.migrations = migrations;
        this.hub = hub;
        this.releases = releases;
        this.store = store;
        this.registry = registry;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "startRelease", summary = "Start a canary release of an app over one or more pools",
            description = "Validated up front against the live Deployments. Admin, ops, and developers for their apps.")
    public ReleaseViews.Release start(@Valid @RequestBody ReleaseRequests.Create b, @AuthenticationPrincipal NoahPrincipal caller,
                                      HttpServletRequest req, HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, b.reason());
        caller.requireApp(b.app());
        String migrating = migrations.holder(b.namespace(), b.app());
        if (migrating != null) {
            throw new io.noah.cluster.model.NoahException(io.noah.cluster.model.NoahException.Reason.CONFLICT, "app " + b.app()
                    + " is being migrated by " + migrating + ": release it when the migration ends");
        }
        ReleaseSpec spec = new ReleaseSpec(b.app(), b.namespace(), b.version(), b.images(), b.env(), b.resources(), b.pools(), b.batches(),
                "percent".equals(b.batchUnit()), Boolean.TRUE.equals(b.spanPools()),
                "auto".equals(b.gate()) ? ReleaseSpec.Gate.AUTO : ReleaseSpec.Gate.MANUAL,
                Duration.ofSeconds(b.autoGateAfterSeconds() == null ? 0 : b.autoGateAfterSeconds()),
                Duration.ofSeconds(b.batchDeadlineSeconds() == null ? 600 : b.batchDeadlineSeconds()),
                "rollback".equals(b.onDeadline()) ? ReleaseSpec.OnDeadline.ROLLBACK : ReleaseSpec.OnDeadline.PAUSE,
                Duration.ofSeconds(b.deleteOldAfterSeconds() == null ? 0 : b.deleteOldAfterSeconds()), b.replicas(), podChange(b));
        Release r = releases.start(spec, caller.name(), b.reason());
        res.setHeader("Location", "/api/v1/releases/" + r.id());
        return view(r);
    }

    /** The pod-level part of a release, or null when it asks none; an app type must be configured. */
    private PodChange podChange(ReleaseRequests.Create b) {
        if (b.rackSpread() == null && b.trafficGate() == null && b.appType() == null) {
            return null;
        }
        NoahProperties.AppType type = null;
        if (b.appType() != null) {
            type = props.lifecycle().appTypes().get(b.appType());
            if (type == null) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "appType", "unknown app type " + b.appType()
                        + "; configured: " + new java.util.TreeSet<>(props.lifecycle().appTypes().keySet()));
            }
        }
        return new PodChange(props.lifecycle().rackLabel(), b.rackSpread(), props.appLabel(), b.app(), b.trafficGate(), b.appType(),
                type == null ? null : type.probes());
    }

    @GetMapping
    @Operation(operationId = "listReleases", summary = "Releases, newest first")
    public List<ReleaseViews.Release> list(@RequestParam(required = false) String app,
                                           @Parameter(schema = @Schema(type = "string", allowableValues = {"running", "waiting", "paused",
                                                   "rolling_back", "succeeded", "rolled_back", "aborted"}))
                                           @RequestParam(required = false) String state,
                                           @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "1000",
                                                   defaultValue = "100"))
                                           @RequestParam(required = false) String limit) {
        ReleaseState s = null;
        if (state != null) {
            s = java.util.Arrays.stream(ReleaseState.values()).filter(v -> v.name().toLowerCase(Locale.ROOT).equals(state)).findFirst()
                    .orElseThrow(() -> NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "state", "unknown state " + state
                            + "; one of running, waiting, paused, rolling_back, succeeded, rolled_back, aborted"));
        }
        return store.list(app, s, QueryParams.limit(limit, 100, 1, 1000)).stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getRelease", summary = "A release: plan, position, desired/ready of both Deployments per pool, history")
    public ReleaseViews.Release get(@PathVariable String id) {
        return view(find(id));
    }

    @PostMapping("/{id}/promote")
    @Operation(operationId = "promoteRelease", summary = "Open the gate: apply the next batch")
    public ReleaseViews.Release promote(@PathVariable String id, @Valid @RequestBody(required = false) ReleaseRequests.Action body,
                                        @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return act(id, body, caller, req, (r, reason) -> releases.promote(id, caller.name(), reason));
    }

    @PostMapping("/{id}/pause")
    @Operation(operationId = "pauseRelease", summary = "Pause: nothing moves until resumed")
    public ReleaseViews.Release pause(@PathVariable String id, @Valid @RequestBody(required = false) ReleaseRequests.Action body,
                                      @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return act(id, body, caller, req, (r, reason) -> releases.pause(id, caller.name(), reason));
    }

    @PostMapping("/{id}/resume")
    @Operation(operationId = "resumeRelease", summary = "Resume a paused release, accepting the world as it is now")
    public ReleaseViews.Release resume(@PathVariable String id, @Valid @RequestBody(required = false) ReleaseRequests.Action body,
                                       @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return act(id, body, caller, req, (r, reason) -> releases.resume(id, caller.name(), reason));
    }

    @PostMapping("/{id}/abort")
    @Operation(operationId = "abortRelease", summary = "Abort: the release ends, the Deployments stay as they are")
    public ReleaseViews.Release abort(@PathVariable String id, @Valid @RequestBody(required = false) ReleaseRequests.Action body,
                                      @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return act(id, body, caller, req, (r, reason) -> releases.abort(id, caller.name(), reason));
    }

    @PostMapping("/{id}/rollback")
    @Operation(operationId = "rollbackRelease", summary = "Roll back batch by batch (fast: in one step) and delete the canaries")
    public ReleaseViews.Release rollback(@PathVariable String id, @Valid @RequestBody(required = false) ReleaseRequests.Action body,
                                         @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        return act(id, body, caller, req,
                (r, reason) -> releases.rollback(id, body != null && Boolean.TRUE.equals(body.fast()), caller.name(), reason));
    }

    private ReleaseViews.Release act(String id, ReleaseRequests.Action body, NoahPrincipal caller, HttpServletRequest req,
                                     java.util.function.BiFunction<Release, String, Release> action) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        Release r = find(id);
        caller.requireApp(r.spec().app());
        return view(action.apply(r, reason));
    }

    /**
     * The release's history as server-sent events (one "transition" event per entry) until it ends, at most 30
     * minutes; a comment every 15 s while nothing happens (a closed client is noticed). Streams wait on
     * {@link ReleaseEventHub} rather than polling the database each; 429 beyond the per-instance maximum.
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamReleaseEvents", summary = "The release's history as server-sent events, until it ends")
    public SseEmitter events(@PathVariable String id) {
        find(id);
        EventStream stream = new EventStream(hub, Duration.ofMinutes(30));
        SseEmitter emitter = stream.emitter;
        Thread.ofVirtual().name("release-sse-" + id).start(() -> {
            long last = 0;
            try {
                while (stream.open()) {
                    long seen = hub.last();
                    // state first: a change and its history entry commit together, so once the state
                    // is terminal the following read holds every entry, the last one included
                    boolean ended = store.get(id).map(r -> r.state().terminal()).orElse(true);
                    for (ReleaseStore.Event e : store.events(id, last)) {
                        emitter.send(SseEmitter.event().id(Long.toString(e.id())).name("transition").data(event(e), MediaType.APPLICATION_JSON));
                        last = e.id();
                    }
                    if (ended) {
                        emitter.complete();
                        return;
                    }
                    hub.awaitGrowth(seen, Duration.ofSeconds(15));
                    if (hub.last() == seen) {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                    }
                }
            } catch (IOException | IllegalStateException e) {
                emitter.completeWithError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.complete();
            } finally {
                stream.closed();
            }
        });
        return emitter;
    }

    private Release find(String id) {
        return store.get(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no release " + id));
    }

    private static ReleaseViews.Event event(ReleaseStore.Event e) {
        return new ReleaseViews.Event(e.id(), e.at(), e.actor(), e.type(), e.from() == null ? null : e.from().name().toLowerCase(),
                e.to().name().toLowerCase(), e.step(), e.target(), e.reason());
    }

    ReleaseViews.Release view(Release r) {
        List<ReleaseViews.Pool> pools = new ArrayList<>();
        for (String p : r.plan().pools()) {
            boolean newApp = r.runningNames().get(p) == null;
            pools.add(new ReleaseViews.Pool(p, r.plan().canary(r.target(), p), newApp ? 0 : r.plan().running(r.target(), p),
                    counts(p, r.spec().namespace(), r.runningNames().get(p)), counts(p, r.spec().namespace(), r.canaryNames().get(p))));
        }
        List<List<Integer>> plan = r.plan().steps().stream().map(s -> r.plan().pools().stream().map(s::get).toList()).toList();
        return new ReleaseViews.Release(r.id(), r.spec().app(), r.spec().namespace(), r.spec().version(),
                r.state().name().toLowerCase(), r.step(), r.target(), r.plan().lastStep(), r.reason(), pools, plan, r.createdBy(),
                r.createdAt(), r.updatedAt(), r.finishedAt(), store.events(r.id(), 0).stream().map(ReleasesController::event).toList());
    }

    private ReleaseViews.DeploymentCounts counts(String pool, String ns, String name) {
        if (name == null) {
            return null;
        }
        DeploymentRecord d = registry.get(pool).map(h -> h.cache().deployments().record(ns + "/" + name)).orElse(null);
        return d == null ? new ReleaseViews.DeploymentCounts(name, 0, 0) : new ReleaseViews.DeploymentCounts(name, d.replicas(), d.readyReplicas());
    }
}
