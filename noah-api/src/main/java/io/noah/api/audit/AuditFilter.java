package io.noah.api.audit;

import io.noah.api.security.BearerTokenFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

import java.io.IOException;
import java.util.Set;

/**
 * Records every mutating call (POST, PUT, PATCH, DELETE), whatever its outcome (401 and 403
 * included), with its actor. Runs outside Spring Security so it sees the final status. The reason
 * comes from the body's {@code reason} (controllers put it in {@link #REASON_ATTRIBUTE}) or the
 * {@code X-Noah-Reason} header.
 */
public class AuditFilter extends OncePerRequestFilter {

    public static final String REASON_ATTRIBUTE = "noah.reason";
    private static final Logger log = LoggerFactory.getLogger(AuditFilter.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final AuditService audit;

    public AuditFilter(AuditService audit) {
        this.audit = audit;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !MUTATING.contains(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            Object actor = request.getAttribute(BearerTokenFilter.ACTOR_ATTRIBUTE);
            Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
            Object reason = request.getAttribute(REASON_ATTRIBUTE);
            String action = request.getMethod() + " " + (pattern == null ? request.getRequestURI() : pattern);
            try {
                audit.record(actor == null ? "anonymous" : actor.toString(), action, request.getMethod(),
                        request.getRequestURI(), response.getStatus(),
                        reason != null ? reason.toString() : request.getHeader("X-Noah-Reason"));
            } catch (RuntimeException e) {
                log.error("could not record the audit event for {} by {}", action, actor, e);
            }
        }
    }
}
