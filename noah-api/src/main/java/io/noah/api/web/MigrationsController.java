package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.releases.ReleaseEventHub;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.web.dto.MigrationViews;
import io.noah.release.migrate.Migration;
import io.noah.release.migrate.MigrationPlanner;
import io.noah.release.migrate.MigrationService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
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
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Disaster-recovery migrations: plan with a fit check, start, progress (SSE), pause, resume, rollback, abort, reverse. */
@RestController
@RequestMapping(path = "/api/v1/migrations", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "migrations", description = "Move apps, or every app of an IDC, to another IDC: fit check first, make-before-break batches")
public class MigrationsController {

    private final MigrationService service;
    private final ReleaseEventHub hub;

    public MigrationsController(MigrationService service, ReleaseEventHub hub) {
        this.service = service;
        this.hub = hub;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "startMigration", summary = "Plan (dryRun) or start a migration of apps to another IDC",
            description = "dryRun: the plan (200): per Deployment its target cluster and batches, per target cluster the fit check"
                    + " (\"placeable N of M, short by X CPU / Y memory\"), the blockers, and per app the Ready pods kept at every moment."
                    + " Otherwise the migration (201), run by one Noah instance at a time and continued after a restart. 409 when an"
                    + " app has an active release or another migration, when a blocker stands, or when the pods do not all fit"
                    + " (force starts anyway). Admin and ops.")
    @ApiResponse(responseCode = "200", description = "Dry run: the plan", content = @Content(schema = @Schema(implementation = MigrationViews.Plan.class)))
    @ApiResponse(responseCode = "201", description = "Started", content = @Content(schema = @Schema(implementation = MigrationViews.Migration.class)))
    public Object start(@Valid @RequestBody io.noah.api.web.dto.MigrationRequests.Create b, @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req,
                        HttpServletResponse res) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, b.reason());
        boolean all = Boolean.TRUE.equals(b.allApps());
        List<io.noah.api.web.dto.MigrationRequests.AppRef> apps = b.apps() == null ? List.of() : b.apps();
        if (all == !apps.isEmpty()) {
            throw io.noah.cluster.model.NoahException.invalid(io.noah.cluster.model.NoahException.Reason.INVALID_ARGUMENT, "apps",
                    "name the apps to move, or set allApps to move every app of the IDC (one of the two)");
        }
        Migration.Spec spec = new Migration.Spec(apps.stream().map(a -> new Migration.AppRef(a.namespace(), a.app())).toList(), all,
                b.fromIdc(), b.toIdc(), b.toClusters() == null ? List.of() : b.toClusters(), b.batchSize(),
                Duration.ofSeconds(b.batchDeadlineSeconds() == null ? 600 : b.batchDeadlineSeconds()),
                "rollback".equals(b.onDeadline()) ? Migration.OnDeadline.ROLLBACK : Migration.OnDeadline.PAUSE,
                b.concurrency() == null ? 1 : b.concurrency(), b.priority() == null ? List.of() : b.priority(),
                b.priorityLabel() == null ? "noah.io/dr-priority" : b.priorityLabel(), Boolean.TRUE.equals(b.force()), b.reason());
        if (Boolean.TRUE.equals(b.dryRun())) {
            res.setStatus(200);
            return plan(service.plan(spec));
        }
        Migration m = service.start(spec, caller.name(), null);
        res.setStatus(201);
        res.setHeader("Location", "/api/v1/migrations/" + m.id());
        return view(m);
    }

    @GetMapping
    @Operation(operationId = "listMigrations", summary = "Migrations, newest first")
    public List<MigrationViews.Migration> list(@Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "1000",
            defaultValue = "100")) @RequestParam(required = false) String limit) {
        return service.list(QueryParams.limit(limit, 100, 1, 1000)).stream().map(MigrationsController::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getMigration", summary = "A migration: state, each move's batch and counts, a report per cluster, every step")
    public MigrationViews.Migration get(@PathVariable String id) {
        return view(service.require(id));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamMigration", summary = "The migration's progress as server-sent events, until it ends",
            description = "A \"progress\" event (the migration, as GET answers it) at once and whenever it changes (checked every second),"
                    + " at most 2 hours; counts against the instance's event-stream maximum (429 beyond it).")
    public SseEmitter events(@PathVariable String id) {
        service.require(id);
        return new EventStream(hub, Duration.ofHours(2)).polling("migration-sse-" + id, Duration.ofSeconds(1), () -> {
            Migration m = service.require(id);
            return new EventStream.Look(m.version(), SseEmitter.event().id(Long.toString(m.version())).name("progress")
                    .data(view(m), MediaType.APPLICATION_JSON), m.state().ended());
        });
    }

    @PostMapping("/{id}/{action:pause|resume|abort|rollback}")
    @Operation(operationId = "actOnMigration", summary = "Pause, resume, abort or roll back a migration",
            description = "rollback: batch by batch back to the source (source up and Ready before the target goes down); abort: stop"
                    + " where it is. Admin and ops.")
    public MigrationViews.Migration act(@PathVariable String id, @PathVariable String action,
                                        @Valid @RequestBody(required = false) io.noah.api.web.dto.MigrationRequests.Action body,
                                        @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        return view(service.act(id, action, caller.name(), reason));
    }

    @PostMapping("/{id}/reverse")
    @Operation(operationId = "reverseMigration", summary = "Move a succeeded migration's apps back to where they came from (a new migration)",
            description = "Admin and ops.")
    @ApiResponse(responseCode = "201", description = "Started", content = @Content(schema = @Schema(implementation = MigrationViews.Migration.class)))
    public MigrationViews.Migration reverse(@PathVariable String id, @Valid @RequestBody(required = false) io.noah.api.web.dto.MigrationRequests.Action body,
                                            @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req, HttpServletResponse res) {
        String reason = body == null ? null : body.reason();
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, reason);
        Migration m = service.reverse(id, caller.name(), reason);
        res.setStatus(201);
        res.setHeader("Location", "/api/v1/migrations/" + m.id());
        return view(m);
    }

    static MigrationViews.Plan plan(MigrationPlanner.Plan p) {
        return new MigrationViews.Plan(p.moves().stream().map(MigrationsController::move).toList(), p.fit().stream()
                .map(f -> new MigrationViews.Fit(f.cluster(), f.pods(), f.placeable(), f.neededCpuMilli(), f.neededMemoryBytes(), f.freeCpuMilli(),
                        f.freeMemoryBytes(), f.shortCpuMilli(), f.shortMemoryBytes(), f.fits(), f.summary())).toList(),
                p.blockers(), p.minReady(), p.fits());
    }

    private static MigrationViews.Move move(Migration.Move x) {
        return new MigrationViews.Move(x.namespace(), x.app(), x.order(), x.deployment(), x.source(), x.target(), x.total(), x.targetBase(),
                x.batchSize(), x.moved(), x.phase().name().toLowerCase(Locale.ROOT), x.batch(), x.batchStartedAt(), x.reconcile(),
                x.template() != null, x.error());
    }

    static MigrationViews.Migration view(Migration m) {
        Map<String, int[]> sources = new TreeMap<>();
        Map<String, int[]> targets = new TreeMap<>();
        Map<String, java.util.Set<String>> srcApps = new TreeMap<>();
        Map<String, java.util.Set<String>> dstApps = new TreeMap<>();
        for (Migration.Move x : m.moves()) {
            int[] s = sources.computeIfAbsent(x.source(), k -> new int[2]);
            s[0] += x.moved();
            s[1] += x.reconcile() ? x.moved() : 0;
            targets.computeIfAbsent(x.target(), k -> new int[2])[0] += x.moved();
            srcApps.computeIfAbsent(x.source(), k -> new java.util.TreeSet<>()).add(x.appKey());
            dstApps.computeIfAbsent(x.target(), k -> new java.util.TreeSet<>()).add(x.appKey());
        }
        List<MigrationViews.ClusterReport> report = new ArrayList<>();
        sources.forEach((c, v) -> report.add(new MigrationViews.ClusterReport(c, "source", srcApps.get(c).size(), v[0], v[1])));
        targets.forEach((c, v) -> report.add(new MigrationViews.ClusterReport(c, "target", dstApps.get(c).size(), v[0], 0)));
        Migration.Spec s = m.spec();
        return new MigrationViews.Migration(m.id(), m.state().name().toLowerCase(Locale.ROOT), m.message(), s.fromIdc(), s.toIdc(), s.allApps(),
                s.reason(), m.createdBy(), m.createdAt(), m.updatedAt(), m.finishedAt(), m.reverseOf(), s.concurrency(), s.batchSize(),
                s.batchDeadline() == null ? null : s.batchDeadline().toSeconds(), s.onDeadline().name().toLowerCase(Locale.ROOT), s.force(),
                m.moves().stream().map(MigrationsController::move).toList(), report,
                m.history().stream().map(h -> new MigrationViews.Step(h.at(), h.actor(), h.what(), h.app(), h.source(), h.sourceReplicas(),
                        h.target(), h.targetReplicas())).toList());
    }
}
