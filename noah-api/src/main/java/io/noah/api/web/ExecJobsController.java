package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.audit.AuditService;
import io.noah.api.config.NoahProperties;
import io.noah.api.console.OsUserPolicy;
import io.noah.api.releases.ReleaseEventHub;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.Role;
import io.noah.api.web.dto.ConsoleViews;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.console.BatchExec;
import io.noah.console.ExecJob;
import io.noah.console.ExecJobStore;
import io.noah.console.ExecJobs;
import io.noah.console.ExecOutcome;
import io.noah.console.ExecTargets;
import io.noah.console.OutputGroups;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Batch exec: one command on many pods across clusters, grouped results, progress as server-sent events, cancel. */
@RestController
@RequestMapping(path = "/api/v1/exec-jobs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "console", description = "Batch exec over pods of every cluster, as a chosen OS user")
public class ExecJobsController {

    private final ExecJobs jobs;
    private final ExecJobStore store;
    private final ExecTargets targets;
    private final OsUserPolicy policy;
    private final NoahProperties.Console props;
    private final AuditService audit;
    private final ReleaseEventHub hub;
    private final ClusterRegistry registry;
    private final io.noah.cluster.ops.PodExecs execs;

    public ExecJobsController(ExecJobs jobs, ExecJobStore store, ExecTargets targets, OsUserPolicy policy, NoahProperties props,
                              AuditService audit, ReleaseEventHub hub, ClusterRegistry registry, io.noah.cluster.ops.PodExecs execs) {
        this.execs = execs;
        this.jobs = jobs;
        this.store = store;
        this.targets = targets;
        this.policy = policy;
        this.props = props.console();
        this.audit = audit;
        this.hub = hub;
        this.registry = registry;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "startExecJob", summary = "Run one command on many pods; answers at once with the job",
            description = "400: empty command, targets selecting nothing or more than maxTargets (too-many-targets), fan-out out of range;"
                    + " 404: a named pod or cluster unknown; 403: viewers, developers outside their apps, an OS user the role may not use"
                    + " (os-user-not-allowed). Developers run as noah.console.developer-user unless they name an allowed user.")
    public ConsoleViews.Job start(@Valid @RequestBody ConsoleViews.ExecJobRequest body, @AuthenticationPrincipal NoahPrincipal caller,
                                  HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        if (body.command().getFirst().isBlank()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "command", "the command's first word is empty");
        }
        String user = policy.effective(caller, body.osUser());
        int fanOut = body.fanOut() == null ? Math.min(props.defaultFanOut(), props.maxFanOut()) : body.fanOut();
        if (fanOut > props.maxFanOut()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "fanOut", "fanOut may be at most " + props.maxFanOut());
        }
        int perCluster = body.perCluster() == null ? fanOut : body.perCluster();
        if (perCluster > fanOut) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "perCluster", "perCluster may not exceed fanOut (" + fanOut + ")");
        }
        Duration timeout = body.timeoutSeconds() == null ? props.defaultTimeout() : Duration.ofSeconds(body.timeoutSeconds());
        if (timeout.compareTo(props.maxTimeout()) > 0) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "timeoutSeconds", "timeoutSeconds may be at most "
                    + props.maxTimeout().toSeconds());
        }
        var t = body.targets();
        LabelSelector selector = t.labelSelector() == null ? null : LabelSelector.parse(t.labelSelector());
        List<BatchExec.Target> pods = targets.resolve(new ExecTargets.Selection(set(t.clusters()), set(t.pools()), set(t.idcs()),
                t.namespace(), t.app(), t.deployment(), selector, t.pods() == null ? null
                : t.pods().stream().map(p -> new ExecTargets.PodRef(p.cluster(), p.namespace(), p.name())).toList()));
        int max = Math.min(body.maxTargets() == null ? props.maxTargets() : body.maxTargets(), props.maxTargets());
        if (pods.size() > max) {
            throw NoahException.invalid(NoahException.Reason.TOO_MANY_TARGETS, "targets", "the targets select " + pods.size()
                    + " pods, more than the maximum of " + max);
        }
        if (body.container() != null) {
            requireContainer(pods.getFirst(), body.container());
        }
        if (caller.role() == Role.DEVELOPER) {
            for (BatchExec.Target p : pods) {
                var rec = registry.require(p.cluster()).cache().pods().record(p.namespace() + "/" + p.pod());
                if (rec == null || !caller.mayActOnApp(rec.app())) {
                    throw new AccessDeniedException("a developer token may exec only in its apps' pods: " + p.cluster() + "/" + p.namespace()
                            + "/" + p.pod() + " is not one");
                }
            }
        }
        ExecJob job = jobs.start(caller.name(), body.reason(), pods, new BatchExec.Spec(List.copyOf(body.command()), body.container(), user,
                timeout, fanOut, perCluster, body.outputCap() == null ? props.outputCap() : body.outputCap()));
        audit.record(caller.name(), "exec-job", "POST", "/api/v1/exec-jobs/" + job.id(), 201,
                body.reason() + " | command " + body.command() + (user == null ? "" : " as " + user) + " on " + pods.size() + " pods: "
                        + OutputGroups.fold(pods.stream().map(p -> p.cluster() + "/" + p.pod()).toList()));
        return view(job, Map.of(), null, null);
    }

    @GetMapping
    @Operation(operationId = "listExecJobs", summary = "Batch exec jobs, newest first (without their results)")
    public List<ConsoleViews.Job> list(@RequestParam(required = false) String limit) {
        return store.list(QueryParams.limit(limit, 50, 1, 500)).stream().map(j -> view(j, store.counts(j.id()), null, null)).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getExecJob", summary = "A batch exec job: counts and its results grouped by identical outcome")
    public ConsoleViews.Job get(@PathVariable String id,
                                @Parameter(description = "also each pod's outcome") @RequestParam(required = false) String outcomes) {
        boolean each = Boolean.TRUE.equals(QueryParams.bool("outcomes", outcomes));
        ExecJob job = jobs.require(id);
        List<ExecOutcome> results = store.results(id);
        return full(job, results, each);
    }

    /**
     * Progress as server-sent events: "progress" (the job with counts, no groups) at once and whenever more pods finish,
     * then "result" (the job with its groups) when it ends; comments every 15 s while nothing changes.
     */
    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(operationId = "streamExecJob", summary = "The job's progress as server-sent events, until it ends")
    public SseEmitter events(@PathVariable String id) {
        jobs.require(id);
        return new EventStream(hub, Duration.ofHours(2)).polling("exec-job-sse-" + id, Duration.ofMillis(300), () -> {
            ExecJob job = jobs.require(id);
            if (job.state().ended()) {
                return new EventStream.Look(job.state(), SseEmitter.event().name("result").data(full(job, store.results(id), false),
                        MediaType.APPLICATION_JSON), true);
            }
            Map<ExecOutcome.Kind, Integer> counts = store.counts(id);
            return new EventStream.Look(counts, SseEmitter.event().name("progress").data(view(job, counts, null, null),
                    MediaType.APPLICATION_JSON), false);
        });
    }

    @PostMapping("/{id}/cancel")
    @Operation(operationId = "cancelExecJob", summary = "Cancel a running job: finished pods keep their results, the rest are reported cancelled",
            description = "409 when it has ended. Developers only their own jobs.")
    public ConsoleViews.Job cancel(@PathVariable String id, @Valid @RequestBody(required = false) io.noah.api.web.dto.LifecycleRequests.Reasoned body,
                                   @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body == null ? null : body.reason());
        ExecJob job = jobs.require(id);
        if (caller.role() == Role.DEVELOPER && !job.createdBy().equals(caller.name())) {
            throw new AccessDeniedException("a developer token may cancel only its own jobs");
        }
        jobs.cancel(id);
        return view(jobs.require(id), store.counts(id), null, null);
    }

    /** 404 when the first target pod has no such container (one live GET; the others are checked by Kubernetes per exec). */
    private void requireContainer(BatchExec.Target t, String container) {
        var pod = execs.pod(t.cluster(), t.namespace(), t.pod());
        if (pod != null && !pod.containers().contains(container)) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + t.namespace() + "/" + t.pod() + " in " + t.cluster()
                    + " has no container " + container + " (it has " + pod.containers() + ")");
        }
    }

    private ConsoleViews.Job full(ExecJob job, List<ExecOutcome> results, boolean each) {
        Map<ExecOutcome.Kind, Integer> counts = new TreeMap<>();
        results.forEach(o -> counts.merge(o.kind(), 1, Integer::sum));
        var groups = OutputGroups.of(results).stream().map(g -> new ConsoleViews.Group(g.count(), lower(g.kind()), g.exitCode(), g.stdout(),
                g.stderr(), g.reason(), g.truncated(), g.folded(), g.targets(), g.diffAgainstLargest())).toList();
        return view(job, counts, groups, each ? results.stream().map(o -> new ConsoleViews.Outcome(o.cluster(), o.namespace(), o.pod(),
                o.container(), lower(o.kind()), o.exitCode(), o.stdout(), o.stderr(), o.truncated(), o.reason(), o.startedAt(), o.millis()))
                .toList() : null);
    }

    private ConsoleViews.Job view(ExecJob j, Map<ExecOutcome.Kind, Integer> counts, List<ConsoleViews.Group> groups,
                                  List<ConsoleViews.Outcome> outcomes) {
        Map<String, Integer> c = new TreeMap<>();
        counts.forEach((k, v) -> c.put(lower(k), v));
        return new ConsoleViews.Job(j.id(), lower(j.state()), j.createdBy(), j.createdAt(), j.finishedAt(), j.reason(), j.command(), j.container(),
                j.osUser(), j.timeoutSeconds(), j.fanOut(), j.perCluster(), j.targets().size(), c.values().stream().mapToInt(Integer::intValue).sum(),
                c, j.peakConcurrency(), OutputGroups.fold(j.targets().stream().map(t -> t.cluster() + "/" + t.pod()).toList()), groups, outcomes);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static java.util.Set<String> set(List<String> l) {
        return l == null ? null : new LinkedHashSet<>(l);
    }
}
