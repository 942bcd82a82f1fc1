package io.noah.api.security;

import io.noah.api.web.Problems;
import io.noah.cluster.model.NoahException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <token>} → the caller's principal and role. A malformed or unknown
 * token is answered 401 at once; no header leaves the request anonymous (the authorization rules
 * then answer 401 for anything but the health endpoint). Without the header, the web pages' session
 * cookie ({@link UiSessionService}) authenticates instead; a mutating call on a cookie must echo the
 * session's CSRF value in {@code X-CSRF-Token} (403 {@code csrf} otherwise), since a browser sends
 * cookies on its own.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

    public static final String ACTOR_ATTRIBUTE = "noah.actor";

    public static final String VIA_ATTRIBUTE = "noah.via";
    private static final java.util.Set<String> SAFE = java.util.Set.of("GET", "HEAD", "OPTIONS");

    private final TokenService tokens;
    private final UiSessionService sessions;
    private final Problems problems;

    public BearerTokenFilter(TokenService tokens, UiSessionService sessions, Problems problems) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null) {
            String cookie = cookie(request, UiSessionService.COOKIE);
            if (cookie == null) {
                chain.doFilter(request, response);
                return;
            }
            Optional<NoahPrincipal> byCookie;
            try {
                var session = sessions.find(cookie);
                if (session.isPresent() && !SAFE.contains(request.getMethod()) && !sameSecret(session.get().csrf(),
                        request.getHeader(UiSessionService.CSRF_HEADER))) {
                    problems.write(request, response, 403, "csrf", "Forbidden",
                            "a call signed in by the session cookie must send the session's CSRF value in " + UiSessionService.CSRF_HEADER);
                    return;
                }
                byCookie = session.flatMap(sessions::principal);
            } catch (NoahException e) {
                response.setHeader("Retry-After", "1");
                problems.write(request, response, e.reason().status(), e.reason().code(), "Service Unavailable", e.getMessage());
                return;
            }
            if (byCookie.isEmpty()) {
                // an expired or signed-out session is anonymous: the sign-in call and the pages still work
                chain.doFilter(request, response);
                return;
            }
            authenticated(byCookie.get(), "session", request, response, chain);
            return;
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
            problems.write(request, response, 401, "unauthenticated", "Unauthorized",
                    "the Authorization header must be 'Bearer <token>'");
            return;
        }
        Optional<NoahPrincipal> principal;
        try {
            principal = tokens.authenticate(header.substring(7).trim());
        } catch (NoahException e) {
            response.setHeader("Retry-After", "1");
            problems.write(request, response, e.reason().status(), e.reason().code(), "Service Unavailable", e.getMessage());
            return;
        }
        if (principal.isEmpty()) {
            problems.write(request, response, 401, "unauthenticated", "Unauthorized", "the token is unknown or revoked");
            return;
        }
        authenticated(principal.get(), "token", request, response, chain);
    }

    private static void authenticated(NoahPrincipal p, String via, HttpServletRequest request, HttpServletResponse response,
                                      FilterChain chain) throws ServletException, IOException {
        request.setAttribute(ACTOR_ATTRIBUTE, p.name());
        request.setAttribute(VIA_ATTRIBUTE, via);
        var auth = new UsernamePasswordAuthenticationToken(p, null, List.of(new SimpleGrantedAuthority(p.role().authority())));
        SecurityContextHolder.getContext().setAuthentication(auth);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    /** A cookie's value as sent (not URI-decoded), or null. */
    public static String cookie(HttpServletRequest request, String name) {
        jakarta.servlet.http.Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (var c : cookies) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    private static boolean sameSecret(String expected, String given) {
        return given != null && java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                given.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
