package io.noah.cluster.query;

import io.noah.cluster.model.NoahException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next page starts: after {@code key} in {@code cluster} (clusters in name order, keys in
 * order within a cluster). Opaque to callers: base64url of a versioned string that also carries a
 * fingerprint of the query, so a token cannot be replayed against other filters.
 */
public record ContinueToken(String cluster, String key, int queryFingerprint) {

    private static final String VERSION = "n1";

    public String encode() {
        String raw = VERSION + "\n" + queryFingerprint + "\n" + cluster + "\n" + key;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static ContinueToken decode(String token, int expectedFingerprint) {
        String raw;
        try {
            raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad("it is not a token this server issued");
        }
        String[] parts = raw.split("\n", 4);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw bad("it is not a token this server issued");
        }
        int fingerprint;
        try {
            fingerprint = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw bad("it is not a token this server issued");
        }
        if (fingerprint != expectedFingerprint) {
            throw bad("it was issued for a query with other filters; repeat the same filters or start without it");
        }
        return new ContinueToken(parts[2], parts[3], fingerprint);
    }

    private static NoahException bad(String why) {
        return NoahException.invalid(NoahException.Reason.INVALID_CONTINUE, "continue", "continue token is invalid: " + why);
    }
}
