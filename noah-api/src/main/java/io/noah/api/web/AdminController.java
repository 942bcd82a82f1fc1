package io.noah.api.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.noah.api.audit.AuditService;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.TokenService;
import io.noah.api.web.dto.OtherRequests;
import io.noah.api.web.dto.Views;
import io.noah.cluster.model.NoahException;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
public class AdminController {

    private final TokenService tokens;
    private final AuditService audit;

    public AdminController(TokenService tokens, AuditService audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    @PostMapping(path = "/tokens", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Tag(name = "tokens", description = "API tokens (admin)")
    @Operation(operationId = "createToken", summary = "Create an API token; the token is shown only in this response")
    public Views.CreatedToken createToken(@Valid @RequestBody OtherRequests.CreateToken body,
                                          @AuthenticationPrincipal NoahPrincipal caller) {
        var c = tokens.create(body.name(), body.role(), body.apps() == null ? null : new java.util.LinkedHashSet<>(body.apps()), caller.name());
        return new Views.CreatedToken(c.entity().id.toString(), c.entity().name, c.entity().role, apps(c.entity().apps), c.token());
    }

    @GetMapping("/tokens")
    @Tag(name = "tokens")
    @Operation(operationId = "listTokens", summary = "API tokens (never the tokens themselves)")
    public List<Views.Token> tokens() {
        return tokens.list().stream().map(e -> new Views.Token(e.id.toString(), e.name, e.role, apps(e.apps), e.createdBy,
                e.createdAt, e.revokedAt)).toList();
    }

    @DeleteMapping("/tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Tag(name = "tokens")
    @Operation(operationId = "revokeToken", summary = "Revoke an API token")
    public void revoke(@PathVariable UUID id) {
        tokens.revoke(id);
    }

    @GetMapping("/audit")
    @Tag(name = "audit", description = "The audit trail of every mutating call (admin, ops)")
    @Operation(operationId = "searchAudit", summary = "Audit events, newest first")
    public List<Views.AuditEvent> audit(@RequestParam(required = false) String actor,
                                        @Parameter(description = "the request path (substring)") @RequestParam(required = false) String target,
                                        @Parameter(schema = @Schema(type = "string", format = "date-time"))
                                        @RequestParam(required = false) String since,
                                        @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "5000",
                                                defaultValue = "200"))
                                        @RequestParam(required = false) String limit) {
        Instant from;
        try {
            from = since == null ? null : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "since",
                    "since must be an ISO-8601 instant such as 2026-11-24T10:00:00Z");
        }
        return audit.search(actor, target, from, QueryParams.limit(limit, 200, 1, 5000)).stream()
                .map(e -> new Views.AuditEvent(e.id, e.at, e.actor, e.action, e.target, e.outcome, e.reason)).toList();
    }

    private static List<String> apps(String csv) {
        return csv == null || csv.isBlank() ? List.of() : Arrays.asList(csv.split(","));
    }
}
