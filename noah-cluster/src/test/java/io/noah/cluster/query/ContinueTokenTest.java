package io.noah.cluster.query;

import io.noah.cluster.model.NoahException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Continue tokens: round trip, bound to their query, and every malformed one a clear 400 (never an exception). */
class ContinueTokenTest {

    @Test
    void aTokenRoundTripsWithKeysThatHoldAnything() {
        ContinueToken t = new ContinueToken("idc-a", "shop/web-7f9c\nx/ü", 42);
        assertThat(ContinueToken.decode(t.encode(), 42)).isEqualTo(t);
        assertThat(t.encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void aTokenFromAnotherQueryIsRefusedWithTheReason() {
        String token = new ContinueToken("idc-a", "ns/p", 1).encode();
        assertThatThrownBy(() -> ContinueToken.decode(token, 2)).isInstanceOfSatisfying(NoahException.class, e -> {
            assertThat(e.reason()).isEqualTo(NoahException.Reason.INVALID_CONTINUE);
            assertThat(e.getMessage()).contains("issued for a query with other filters");
        });
    }

    @Test
    void malformedTokensAreRefused() {
        for (String bad : new String[]{"%%%", encode("n0\n1\nc\nk"), encode("n1\nx\nc\nk"), encode("n1\n1\nc"), encode(""), "AAAA"}) {
            assertThatThrownBy(() -> ContinueToken.decode(bad, 1)).as(bad).isInstanceOfSatisfying(NoahException.class, e -> {
                assertThat(e.reason()).isEqualTo(NoahException.Reason.INVALID_CONTINUE);
                assertThat(e.getMessage()).contains("not a token this server issued");
            });
        }
    }

    private static String encode(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
}
