package io.noah.api.security;

import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ApiTokenEntity;
import io.noah.api.persistence.ApiTokenRepository;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * API tokens: 256-bit random values shown once at creation, stored as their SHA-256 (a slow hash
 * buys nothing for random secrets of that size). Lookups are cached for a few seconds in two bounded
 * caches, known tokens and unknown ones, so a flood of random tokens churns only the second and never
 * evicts the tokens in use; at most {@link #MAX_CONCURRENT_LOOKUPS} uncached lookups reach the
 * database at once, so such a flood cannot take the connection pool from other requests. A revoke
 * clears the known tokens at once on this instance (other instances: within the cache time).
 */
@Service
public class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);
    private static final Duration CACHE_TTL = Duration.ofSeconds(10);

    public record Created(ApiTokenEntity entity, String token) {
    }

    /** Uncached lookups in flight at most; more wait up to {@link #LOOKUP_WAIT}, then the caller gets 503. */
    static final int MAX_CONCURRENT_LOOKUPS = 4;
    private static final Duration LOOKUP_WAIT = Duration.ofSeconds(2);

    private final ApiTokenRepository repo;
    private final NoahProperties props;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, NoahPrincipal> known = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_TTL).build();
    private final Cache<String, Boolean> unknown = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CACHE_TTL).build();
    private final Semaphore lookups = new Semaphore(MAX_CONCURRENT_LOOKUPS);

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
        return authenticateHash(hash(raw));
    }

    /** As {@link #authenticate} for a token known by its hash (a browser session keeps the hash, never the token). */
    public Optional<NoahPrincipal> authenticateHash(String hash) {
        NoahPrincipal p = known.getIfPresent(hash);
        if (p != null) {
            return Optional.of(p);
        }
        if (unknown.getIfPresent(hash) != null) {
            return Optional.empty();
        }
        try {
            if (!lookups.tryAcquire(LOOKUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new NoahException(NoahException.Reason.BUSY, "too many token checks at once; try again shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoahException(NoahException.Reason.BUSY, "interrupted while checking the token");
        }
        try {
            Optional<NoahPrincipal> found = repo.findByTokenHash(hash).filter(e -> e.revokedAt == null).map(TokenService::principal);
            if (found.isPresent()) {
                known.put(hash, found.get());
            } else {
                unknown.put(hash, Boolean.TRUE);
            }
            return found;
        } finally {
            lookups.release();
        }
    }

    @Transactional
    public Created create(String name, Role role, Set<String> apps, String createdBy) {
        if (role == Role.DEVELOPER && (apps == null || apps.isEmpty())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "apps", "a developer token needs at least one app");
        }
        if (role != Role.DEVELOPER && apps != null && !apps.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "apps", "only developer tokens are scoped to apps");
        }
        if (apps != null) {
            apps.forEach(a -> {
                if (!io.noah.cluster.query.LabelSelector.isValidValue(a) || a.isEmpty()) {
                    throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "apps", "'" + a + "' is not an app name (a label value)");
                }
            });
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
        known.invalidateAll();
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
