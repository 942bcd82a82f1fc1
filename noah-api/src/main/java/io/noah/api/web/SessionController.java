package io.noah.api.web;

import io.noah.api.security.BearerTokenFilter;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.UiSessionService;
import io.noah.api.config.NoahProperties;
import io.noah.api.audit.AuditFilter;
import io.noah.api.web.dto.OtherRequests;
import io.noah.api.web.dto.Views;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.List;

/**
 * The web pages' sign-in: a token given once → an HttpOnly, SameSite=Strict session cookie and a CSRF cookie the page echoes
 * on mutating calls. The bearer-token API is unchanged; {@code GET} tells a page (or a script) who it is signed in as.
 */
@RestController
@RequestMapping(path = "/api/v1/session", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "session", description = "Sign-in of the web pages (session cookie + CSRF value)")
public class SessionController {

    private final UiSessionService sessions;
    private final Problems problems;
    private final boolean secure;

    public SessionController(UiSessionService sessions, Problems problems, NoahProperties props) {
        this.sessions = sessions;
        this.problems = problems;
        this.secure = props.ui().secureCookie();
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "signIn", summary = "Sign in with an API token: sets the session cookie (HttpOnly) and the CSRF cookie",
            description = "Answers 201 with the caller, the expiry and the CSRF value to send in X-CSRF-Token on mutating calls; "
                    + "401 for an unknown or revoked token.",
            responses = @ApiResponse(responseCode = "201", description = "Signed in",
                    content = @Content(mediaType = "application/json", schema = @Schema(implementation = Views.SessionView.class))))
    public ResponseEntity<?> signIn(@Valid @RequestBody OtherRequests.SignIn body, HttpServletRequest request) {
        var created = sessions.signIn(body.token().trim());
        if (created.isEmpty()) {
            return ResponseEntity.status(401).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problems.of(401, "unauthenticated", "the token is unknown or revoked"));
        }
        var c = created.get();
        NoahPrincipal p = c.principal();
        request.setAttribute(BearerTokenFilter.ACTOR_ATTRIBUTE, p.name());
        request.setAttribute(AuditFilter.REASON_ATTRIBUTE, "sign-in to the web pages");
        Duration ttl = sessions.ttl();
        return ResponseEntity.status(201)
                .header(HttpHeaders.SET_COOKIE, cookie(UiSessionService.COOKIE, c.id(), ttl, true).toString())
                .header(HttpHeaders.SET_COOKIE, cookie(UiSessionService.CSRF_COOKIE, c.session().csrf(), ttl, false).toString())
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(new Views.SessionView(p.name(), p.role().name(), List.copyOf(p.apps()), "session", c.session().expiresAt(),
                        c.session().csrf()));
    }

    @GetMapping
    @Operation(operationId = "currentSession", summary = "Who the caller is signed in as (session cookie or bearer token); 401 if neither",
            responses = @ApiResponse(responseCode = "200", description = "The caller",
                    content = @Content(mediaType = "application/json", schema = @Schema(implementation = Views.SessionView.class))))
    public ResponseEntity<?> current(@AuthenticationPrincipal @Nullable NoahPrincipal caller, HttpServletRequest request) {
        String cookie = BearerTokenFilter.cookie(request, UiSessionService.COOKIE);
        if (caller == null) {
            return ResponseEntity.status(401).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problems.of(401, "unauthenticated", "not signed in (or the session expired): sign in with a token"));
        }
        String via = String.valueOf(request.getAttribute(BearerTokenFilter.VIA_ATTRIBUTE));
        var session = "session".equals(via) ? sessions.find(cookie) : java.util.Optional.<UiSessionService.Session>empty();
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(new Views.SessionView(caller.name(), caller.role().name(), List.copyOf(caller.apps()), via,
                        session.map(UiSessionService.Session::expiresAt).orElse(null), session.map(UiSessionService.Session::csrf).orElse(null)));
    }

    @DeleteMapping
    @Operation(operationId = "signOut", summary = "Sign out: ends the session and clears its cookies (204 also when not signed in)",
            responses = @ApiResponse(responseCode = "204", description = "Signed out"))
    public ResponseEntity<Void> signOut(HttpServletRequest request) {
        // the cookie as sent (Spring's @CookieValue URI-decodes it, and a malformed %-sequence would be a 500)
        sessions.signOut(BearerTokenFilter.cookie(request, UiSessionService.COOKIE));
        request.setAttribute(AuditFilter.REASON_ATTRIBUTE, "sign-out of the web pages");
        return ResponseEntity.noContent()
                .header(HttpHeaders.SET_COOKIE, cookie(UiSessionService.COOKIE, "", Duration.ZERO, true).toString())
                .header(HttpHeaders.SET_COOKIE, cookie(UiSessionService.CSRF_COOKIE, "", Duration.ZERO, false).toString())
                .build();
    }

    private ResponseCookie cookie(String name, String value, Duration maxAge, boolean httpOnly) {
        return ResponseCookie.from(name, value).httpOnly(httpOnly).secure(secure).sameSite("Strict").path("/").maxAge(maxAge).build();
    }
}
