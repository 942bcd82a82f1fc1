package io.noah.api.security;

import io.noah.api.web.Problems;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Every endpoint but {@code /actuator/health} needs a bearer token. The role matrix:
 * <pre>
 *                       viewer developer ops admin
 * GET /api/v1/** (1)      ✓       ✓       ✓    ✓
 * scale a Deployment      -    own apps   ✓    ✓
 * releases: start, gate   -    own apps   ✓    ✓
 * autoscalers: write      -    own apps   ✓    ✓
 * clusters: write         -       -       ✓    ✓
 * GET /api/v1/audit       -       -       ✓    ✓
 * /api/v1/tokens/**       -       -       -    ✓
 * (1) except audit and tokens
 * </pre>
 * The web pages sign in once with a token ({@code POST /api/v1/session}) and then call the same API on a session cookie
 * with the token's role (see {@link BearerTokenFilter}).
 */
@Configuration
public class SecurityConfig {

    @Bean
    SecurityFilterChain api(HttpSecurity http, TokenService tokens, UiSessionService sessions, Problems problems) throws Exception {
        http.csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(tokens, sessions, problems), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> problems.write(req, res, 401, "unauthenticated",
                                "Unauthorized", "send 'Authorization: Bearer <token>'"))
                        .accessDeniedHandler((req, res, ex) -> problems.write(req, res, 403, "forbidden",
                                "Forbidden", "your token's role may not do this")))
                .authorizeHttpRequests(a -> a
                        // the async re-dispatch that completes a server-sent event stream was authorized when it began
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/error").permitAll()
                        // the terminal websocket: its one-time ticket authenticates (browsers cannot send a bearer token)
                        .requestMatchers(HttpMethod.GET, "/api/v1/terminals/*/ws").permitAll()
                        // the web pages (their API calls carry the session cookie of a sign-in) and the sign-in itself
                        .requestMatchers(HttpMethod.GET, "/", "/ui", "/ui/**").permitAll()
                        .requestMatchers("/api/v1/session").permitAll()
                        .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**").hasRole("ADMIN")
                        .requestMatchers(HttpMethod.GET, "/api/v1/audit").hasAnyRole("ADMIN", "OPS")
                        .requestMatchers(HttpMethod.GET, "/**").authenticated()
                        .requestMatchers(HttpMethod.PUT, "/api/v1/clusters/*/namespaces/*/deployments/*/scale")
                        .hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers(HttpMethod.POST, "/api/v1/releases", "/api/v1/releases/*/*")
                        .hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers(HttpMethod.POST, "/api/v1/terminals").hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers(HttpMethod.DELETE, "/api/v1/terminals/*").hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers(HttpMethod.POST, "/api/v1/exec-jobs", "/api/v1/exec-jobs/*/cancel")
                        .hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers("/api/v1/autoscalers", "/api/v1/autoscalers/**")
                        .hasAnyRole("ADMIN", "OPS", "DEVELOPER")
                        .requestMatchers("/api/v1/clusters", "/api/v1/clusters/**").hasAnyRole("ADMIN", "OPS")
                        .anyRequest().hasAnyRole("ADMIN", "OPS"));
        return http.build();
    }

    /** A URL the firewall refuses (encoded slashes, semicolons, control characters): 400 problem, not a container page. */
    @Bean
    org.springframework.security.web.firewall.RequestRejectedHandler requestRejected(Problems problems) {
        return (req, res, ex) -> problems.write(req, res, 400, "bad-request", "Bad Request",
                "the request URL is not accepted: " + ex.getMessage());
    }
}
