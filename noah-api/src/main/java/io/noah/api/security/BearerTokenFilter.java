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
 * then answer 401 for anything but the health endpoint).
 */
public class BearerTokenFilter extends OncePerRequestFilter {

    public static final String ACTOR_ATTRIBUTE = "noah.actor";

    private final TokenService tokens;
    private final Problems problems;

    public BearerTokenFilter(TokenService tokens, Problems problems) {
        this.tokens = tokens;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null) {
            chain.doFilter(request, response);
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
        NoahPrincipal p = principal.get();
        request.setAttribute(ACTOR_ATTRIBUTE, p.name());
        var auth = new UsernamePasswordAuthenticationToken(p, null, List.of(new SimpleGrantedAuthority(p.role().authority())));
        SecurityContextHolder.getContext().setAuthentication(auth);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
