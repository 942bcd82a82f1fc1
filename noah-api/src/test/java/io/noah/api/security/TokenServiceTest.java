package io.noah.api.security;

import io.noah.api.persistence.ApiTokenEntity;
import io.noah.api.persistence.ApiTokenRepository;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Token checks: cached, and a flood of random tokens neither evicts the tokens in use nor hammers the database. */
class TokenServiceTest {

    private final AtomicInteger lookups = new AtomicInteger();
    private final String valid = "noah_valid-token-0123456789";

    private ApiTokenRepository repo() {
        ApiTokenEntity e = new ApiTokenEntity();
        e.id = UUID.randomUUID();
        e.name = "ops";
        e.tokenHash = TokenService.hash(valid);
        e.role = "OPS";
        e.apps = "";
        e.createdBy = "test";
        e.createdAt = Instant.now();
        return (ApiTokenRepository) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ApiTokenRepository.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("findByTokenHash")) {
                        lookups.incrementAndGet();
                        return e.tokenHash.equals(args[0]) ? Optional.of(e) : Optional.empty();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aFloodOfRandomTokensLeavesTheValidOneCached() {
        TokenService tokens = new TokenService(repo(), null, Clock.systemUTC());
        assertThat(tokens.authenticate(valid)).map(NoahPrincipal::name).contains("ops");
        assertThat(lookups.get()).isEqualTo(1);
        for (int i = 0; i < 25_000; i++) {
            assertThat(tokens.authenticate("random-" + i)).isEmpty();
        }
        int afterFlood = lookups.get();
        assertThat(afterFlood).isEqualTo(25_001);
        for (int i = 0; i < 100; i++) {
            assertThat(tokens.authenticate(valid)).isPresent();
        }
        assertThat(lookups.get()).as("the valid token is still cached: no database query for it").isEqualTo(afterFlood);
        tokens.authenticate("random-24999");
        assertThat(lookups.get()).as("an unknown token seen again is answered from its own cache").isEqualTo(afterFlood);
    }
}
