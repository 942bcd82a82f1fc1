package io.noah.api.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.noah.api.config.NoahProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Browser sessions of the web pages ({@code EventSource} and {@code WebSocket} cannot send a bearer token, and a token must
 * not sit in a URL or in the browser's storage). Signing in with a token creates a random session id (the HttpOnly cookie)
 * and a CSRF value (a cookie the page reads and echoes in {@code X-CSRF-Token} on every mutating call); the database keeps
 * the id's hash, the token's hash and the expiry, so every instance knows the session and a restart keeps it. Each request
 * resolves the principal through the token's hash again: a revoked token ends its sessions (within the token cache's 10 s).
 */
@Service
public class UiSessionService {

    public static final String COOKIE = "NOAH_SESSION";
    public static final String CSRF_COOKIE = "NOAH_CSRF";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Duration CACHE_TTL = Duration.ofSeconds(10);

    public record Session(String idHash, String tokenHash, String actor, String csrf, Instant expiresAt) {
    }

    public record Created(String id, Session session, NoahPrincipal principal) {
    }

    private final JdbcTemplate jdbc;
    private final TokenService tokens;
    private final Clock clock;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, Optional<Session>> cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_TTL).build();

    public UiSessionService(JdbcTemplate jdbc, TokenService tokens, Clock clock, NoahProperties props) {
        this.jdbc = jdbc;
        this.tokens = tokens;
        this.clock = clock;
        this.ttl = props.ui().sessionTtl();
    }

    public Duration ttl() {
        return ttl;
    }

    /** A session for a valid token, or empty for an unknown or revoked one. Expired sessions are purged here. */
    public Optional<Created> signIn(String rawToken) {
        String tokenHash = TokenService.hash(rawToken);
        Optional<NoahPrincipal> p = tokens.authenticateHash(tokenHash);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        jdbc.update("delete from ui_session where expires_at < ?", Timestamp.from(now));
        String id = secret();
        Session s = new Session(TokenService.hash(id), tokenHash, p.get().name(), secret(), now.plus(ttl));
        jdbc.update("insert into ui_session (id_hash, token_hash, actor, csrf, created_at, expires_at) values (?, ?, ?, ?, ?, ?)",
                s.idHash(), s.tokenHash(), s.actor(), s.csrf(), Timestamp.from(now), Timestamp.from(s.expiresAt()));
        return Optional.of(new Created(id, s, p.get()));
    }

    /** The live session of a cookie value, if any (not expired). */
    public Optional<Session> find(String id) {
        if (id == null || id.isBlank() || id.length() > 100) {
            return Optional.empty();
        }
        String idHash = TokenService.hash(id);
        Optional<Session> s = cache.get(idHash, h -> jdbc.query(
                "select id_hash, token_hash, actor, csrf, expires_at from ui_session where id_hash = ?",
                (rs, i) -> new Session(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()), h).stream().findFirst());
        return s.filter(x -> x.expiresAt().isAfter(clock.instant()));
    }

    public Optional<NoahPrincipal> principal(Session s) {
        return tokens.authenticateHash(s.tokenHash());
    }

    public void signOut(String id) {
        if (id == null) {
            return;
        }
        String idHash = TokenService.hash(id);
        jdbc.update("delete from ui_session where id_hash = ?", idHash);
        cache.invalidate(idHash);
    }

    private String secret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
