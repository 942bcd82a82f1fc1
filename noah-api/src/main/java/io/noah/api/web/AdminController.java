package io.noah.api.web;

import io.noah.api.audit.AuditService;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.TokenService;
import io.noah.api.web.dto.OtherRequests;
import io.noah.api.web.dto.Views;
import io.noah.cluster.model.NoahException;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Tokens (admin) and the audit trail (admin, ops). */
@RestController
@RequestMapping("/api/v1")
public class AdminController {

    private final TokenService tokens;
    private final AuditService audit;

    public AdminController(TokenService tokens, AuditService audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    @PostMapping("/tokens")
    @ResponseStatus(HttpStatus.CREATED)
    public Views.CreatedToken createToken(@Valid @RequestBody OtherRequests.CreateToken body,
                                          @AuthenticationPrincipal NoahPrincipal caller) {
        var c = tokens.create(body.name(), body.role(), body.apps(), caller.name());
        return new Views.CreatedToken(c.entity().id.toString(), c.entity().name, c.entity().role, apps(c.entity().apps), c.token());
    }

    @GetMapping("/tokens")
    public List<Views.Token> tokens() {
        return tokens.list().stream().map(e -> new Views.Token(e.id.toString(), e.name, e.role, apps(e.apps), e.createdBy,
                e.createdAt, e.revokedAt)).toList();
    }

    @DeleteMapping("/tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revoke(@PathVariable UUID id) {
        tokens.revoke(id);
    }

    @GetMapping("/audit")
    public List<Views.AuditEvent> audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String target,
                                        @RequestParam(required = false) String since,
                                        @RequestParam(defaultValue = "200") int limit) {
        if (limit < 1 || limit > 5000) {
            throw NoahException.invalid(NoahException.Reason.INVALID_LIMIT, "limit", "limit must be between 1 and 5000");
        }
        Instant from;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "since",
                    "since must be an ISO-8601 instant such as 2026-11-24T10:00:00Z");
        }
        return audit.search(actor, target, from, limit).stream()
                .map(e -> new Views.AuditEvent(e.id, e.at, e.actor, e.action, e.target, e.outcome, e.reason)).toList();
    }

    private static List<String> apps(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.asList(csv.split(","));
    }
}
