package io.noah.api;

import io.noah.api.clusters.CredentialCipher;
import io.noah.cluster.testing.LocalStack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rotating the key that encrypts stored cluster credentials, as docs/operations.md tells an operator to: the new key
 * as current with the old one as previous re-encrypts the stored rows at start; then the old key can go. On a database
 * of its own (a rotation of the shared one would leave the suite's Noah unable to read its rows after a restart).
 */
class EncryptionKeyRotationE2ETest {

    private static final String DB = "noah_rotation";
    private final LocalStack stack = LocalStack.get();
    private final NoahServer noah = NoahServer.get();

    private String dbUrl;

    private NoahProcess start(String instance, String key, String previous) {
        Map<String, String> extra = new java.util.HashMap<>(Map.of(
                "spring.datasource.url", dbUrl,
                "noah.encryption.key", key,
                // its loops see a namespace of their own: the suite's tests in the same cluster are the shared Noah's
                "noah.namespaces", "noah-rotation-none"));
        if (previous != null) {
            extra.put("noah.encryption.previous-keys", previous);
        }
        return NoahProcess.start(stack, instance, "15s", extra);
    }

    private String storedKeyId() throws Exception {
        try (var c = DriverManager.getConnection(dbUrl, stack.jdbcUser(), stack.jdbcPassword()); var rs = c.createStatement().executeQuery("select key_id from cluster where name = 'rotated'")) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private void awaitReachable(NoahProcess p) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            var r = noah.sendTo(p.port(), "GET", "/api/v1/clusters/rotated", ADMIN_TOKEN, null);
            return r.status() == 200 && r.body().get("status").get("reachable").asBoolean();
        });
    }

    @Test
    void aNewKeyWithTheOldAsPreviousReEncryptsTheStoredCredentialsAndThenTheOldKeyCanGo() throws Exception {
        dbUrl = stack.freshDatabase(DB);
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String oldKey = NoahServer.KEY;
        String newKey = Base64.getEncoder().encodeToString(raw);
        String oldId = CredentialCipher.ofKey(oldKey).keyId();
        String newId = CredentialCipher.ofKey(newKey).keyId();

        try (NoahProcess before = start("rotation-1", oldKey, null)) {
            var r = noah.sendTo(before.port(), "POST", "/api/v1/clusters", ADMIN_TOKEN, Map.of("name", "rotated", "idc", "dc-rot",
                    "kubeconfig", stack.kubeconfigText(stack.clusters().getFirst()), "reason", "before the key rotation"));
            assertThat(r.status()).as(r.raw()).isEqualTo(201);
            awaitReachable(before);
        }
        assertThat(storedKeyId()).isEqualTo(oldId);

        // step 2 of the guide: the new key current, the old one previous; the start re-encrypts
        try (NoahProcess during = start("rotation-2", newKey, oldKey)) {
            awaitReachable(during);
        }
        assertThat(storedKeyId()).isEqualTo(newId);
        assertThat(Files.readString(Path.of("target", "noah-rotation-2.log")))
                .contains("cluster rotated: credentials re-encrypted from key " + oldId + " to key " + newId);

        // step 3: the old key removed; the credentials are read with the new one alone
        try (NoahProcess after = start("rotation-3", newKey, null)) {
            awaitReachable(after);
        }
    }
}
