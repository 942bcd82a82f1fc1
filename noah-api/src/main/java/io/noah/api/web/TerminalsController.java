package io.noah.api.web;

import io.noah.api.audit.AuditFilter;
import io.noah.api.config.NoahProperties;
import io.noah.api.console.JdbcTerminalStore;
import io.noah.api.console.OsUserPolicy;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.Role;
import io.noah.api.web.dto.ConsoleViews;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.console.TerminalSession;
import io.noah.console.Terminals;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.List;

/** Web terminals: create a session (a one-time ticket for the websocket), list the open ones, end one, fetch a recording. */
@RestController
@RequestMapping(path = "/api/v1/terminals", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "console", description = "Batch exec over pods of every cluster, as a chosen OS user")
public class TerminalsController {

    private final Terminals terminals;
    private final JdbcTerminalStore store;
    private final OsUserPolicy policy;
    private final ClusterRegistry registry;
    private final Clock clock;
    private final NoahProperties props;

    public TerminalsController(Terminals terminals, JdbcTerminalStore store, OsUserPolicy policy, ClusterRegistry registry, Clock clock,
                               NoahProperties props) {
        this.terminals = terminals;
        this.store = store;
        this.policy = policy;
        this.registry = registry;
        this.clock = clock;
        this.props = props;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(operationId = "createTerminal", summary = "A terminal session into one container; answers a one-time websocket ticket",
            description = "404: unknown cluster, pod or container; 409: the pod is not running; 429: the caller's open sessions are at"
                    + " noah.console.terminals.per-user-cap; 403: viewers, developers outside their apps, an OS user the role may not use.")
    public ConsoleViews.CreatedTerminal create(@Valid @RequestBody ConsoleViews.TerminalRequest body, @AuthenticationPrincipal NoahPrincipal caller,
                                               HttpServletRequest req) {
        req.setAttribute(AuditFilter.REASON_ATTRIBUTE, body.reason());
        String user = policy.effective(caller, body.osUser());
        if (caller.role() == Role.DEVELOPER) {
            var rec = registry.require(body.cluster()).cache().pods().record(body.namespace() + "/" + body.pod());
            if (rec == null || !caller.mayActOnApp(rec.app())) {
                throw new AccessDeniedException("a developer token may open terminals only into its apps' pods");
            }
        }
        var c = terminals.create(caller.name(), body.reason(), body.cluster(), body.namespace(), body.pod(), body.container(), user,
                body.record() == null ? props.console().terminals().recordByDefault() : body.record());
        return new ConsoleViews.CreatedTerminal(view(c.session()), c.ticket(), c.ticketExpires(),
                "/api/v1/terminals/" + c.session().id() + "/ws?ticket=" + c.ticket());
    }

    @GetMapping
    @Operation(operationId = "listTerminals", summary = "Open terminal sessions: everyone's for admins and ops, one's own otherwise")
    public List<ConsoleViews.Terminal> list(@AuthenticationPrincipal NoahPrincipal caller) {
        boolean all = caller.role() == Role.ADMIN || caller.role() == Role.OPS;
        var now = clock.instant();
        return store.open(all ? null : caller.name(), now, now.minusSeconds(30)).stream().map(TerminalsController::view).toList();
    }

    @GetMapping("/{id}")
    @Operation(operationId = "getTerminal", summary = "A terminal session, open or ended")
    public ConsoleViews.Terminal get(@PathVariable String id, @AuthenticationPrincipal NoahPrincipal caller) {
        return view(owned(id, caller));
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "endTerminal", summary = "End a terminal session (admins and ops any, others their own); 409 when it has ended")
    public ConsoleViews.Terminal end(@PathVariable String id, @AuthenticationPrincipal NoahPrincipal caller, HttpServletRequest req) {
        TerminalSession s = owned(id, caller);
        if (!s.open() || !terminals.end(id)) {
            throw new NoahException(NoahException.Reason.CONFLICT, "terminal session " + id + " has ended");
        }
        return view(store.find(id).orElseThrow());
    }

    @GetMapping(path = "/{id}/recording", produces = "application/x-asciicast")
    @Operation(operationId = "getTerminalRecording", summary = "The session's asciicast v2 recording (admins); 404 when it was not recorded or is open")
    public String recording(@PathVariable String id, @AuthenticationPrincipal NoahPrincipal caller) {
        if (caller.role() != Role.ADMIN) {
            throw new AccessDeniedException("recordings are for admins");
        }
        return store.recording(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no recording of terminal session " + id));
    }

    private TerminalSession owned(String id, NoahPrincipal caller) {
        TerminalSession s = store.find(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no terminal session " + id));
        if (caller.role() != Role.ADMIN && caller.role() != Role.OPS && !s.actor().equals(caller.name())) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "no terminal session " + id);
        }
        return s;
    }

    static ConsoleViews.Terminal view(TerminalSession s) {
        return new ConsoleViews.Terminal(s.id(), s.actor(), s.reason(), s.cluster(), s.namespace(), s.pod(), s.container(), s.osUser(),
                s.recorded(), s.createdAt(), s.startedAt(), s.endedAt(), s.exit(), s.endedBy(), s.bytesIn(), s.bytesOut());
    }
}
