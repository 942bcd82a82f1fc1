package io.noah.api.security;

import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ApiTokenEntity;
import io.noah.api.persistence.ApiTokenRepository;
import io.noah.cluster.model.NoahException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * API tokens: 256-bit random values shown once at creation, stored as their SHA-256 (a slow hash
 * buys nothing for random secrets of that size). Lookups are cached for a few seconds; a revoke
 * clears the cache at once on this instance.
 */
@Service
public class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);
    private static final Duration CACHE_TTL = Duration.ofSeconds(10);

    public record Created(ApiTokenEntity entity, String token) {
    }

    private record Cached(Optional<NoahPrincipal> principal, Instant until) {
    }

    private final ApiTokenRepository repo;
    private final NoahProperties props;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public TokenService(ApiTokenRepository repo, NoahProperties props, Clock clock) {
        this.repo = repo;
        this.props = props;
        this.clock = clock;
    }

    /** Stores the bootstrap admin token (hashed) if configured and not yet known. */
    @EventListener(ApplicationReadyEvent.class)
    @Order(0)
    @Transactional
    public void bootstrap() {
        String raw = props.bootstrapToken();
        if (raw == null || raw.isBlank()) {
            if (repo.count() == 0) {
                log.warn("no API token exists and NOAH_BOOTSTRAP_TOKEN is not set: nobody can call Noah");
            }
            return;
        }
        if (raw.length() < 16) {
            throw new IllegalStateException("NOAH_BOOTSTRAP_TOKEN must be at least 16 characters");
        }
        String hash = hash(raw);
        if (repo.findByTokenHash(hash).isEmpty()) {
            ApiTokenEntity e = new ApiTokenEntity();
            e.id = UUID.randomUUID();
            e.name = "bootstrap";
            e.tokenHash = hash;
            e.role = Role.ADMIN.name();
            e.apps = "";
            e.createdBy = "NOAH_BOOTSTRAP_TOKEN";
            e.createdAt = clock.instant();
            repo.save(e);
            log.info("bootstrap admin token stored");
        }
    }

    public Optional<NoahPrincipal> authenticate(String raw) {
        String hash = hash(raw);
        Instant now = clock.instant();
        Cached c = cache.get(hash);
        if (c != null && c.until().isAfter(now)) {
            return c.principal();
        }
        Optional<NoahPrincipal> p = repo.findByTokenHash(hash).filter(e -> e.revokedAt == null).map(TokenService::principal);
        if (cache.size() > 10_000) {
            cache.clear();
        }
        cache.put(hash, new Cached(p, now.plus(CACHE_TTL)));
        return p;
    }

    @Transactional
    public Created create(String name, Role role, Set<String> apps, String createdBy) {
        if (role == Role.DEVELOPER && (apps == null || apps.isEmpty())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "apps", "a developer token needs at least one app");
        }
        if (role != Role.DEVELOPER && apps != null && !apps.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "apps", "only developer tokens are scoped to apps");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String raw = "noah_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiTokenEntity e = new ApiTokenEntity();
        e.id = UUID.randomUUID();
        e.name = name;
        e.tokenHash = hash(raw);
        e.role = role.name();
        e.apps = apps == null ? "" : String.join(",", apps);
        e.createdBy = createdBy;
        e.createdAt = clock.instant();
        repo.save(e);
        return new Created(e, raw);
    }

    public List<ApiTokenEntity> list() {
        return repo.findAllByOrderByCreatedAtAsc();
    }

    @Transactional
    public ApiTokenEntity revoke(UUID id) {
        ApiTokenEntity e = repo.findById(id).orElseThrow(() ->
                new NoahException(NoahException.Reason.NOT_FOUND, "no token with id " + id));
        if (e.revokedAt == null) {
            e.revokedAt = clock.instant();
            repo.save(e);
        }
        cache.clear();
        return e;
    }

    static NoahPrincipal principal(ApiTokenEntity e) {
        Set<String> apps = e.apps == null || e.apps.isBlank() ? Set.of()
                : Arrays.stream(e.apps.split(",")).collect(Collectors.toCollection(LinkedHashSet::new));
        return new NoahPrincipal(e.name, Role.valueOf(e.role), Set.copyOf(apps));
    }

    static String hash(String raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
