package io.noah.api.clusters;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key rotation in the cipher: previous keys read, the current key writes, an unknown key is named, never guessed. */
class CredentialCipherTest {

    private static String key() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    @Test
    void previousKeysReadTheCurrentKeyWritesAndUnknownKeysAreNamed() {
        String oldKey = key();
        String newKey = key();
        CredentialCipher before = CredentialCipher.ofKey(oldKey);
        byte[] stored = before.encrypt("secret");

        CredentialCipher during = CredentialCipher.ofKey(newKey, oldKey);
        assertThat(during.decrypt(stored, before.keyId())).isEqualTo("secret");
        assertThat(during.needsRekey(before.keyId())).isTrue();
        assertThat(during.needsRekey(during.keyId())).isFalse();
        byte[] again = during.encrypt(during.decrypt(stored, before.keyId()));

        CredentialCipher after = CredentialCipher.ofKey(newKey);
        assertThat(after.keyId()).isEqualTo(during.keyId());
        assertThat(after.decrypt(again, after.keyId())).isEqualTo("secret");
        assertThat(after.needsRekey(before.keyId())).as("an unknown key cannot be re-encrypted").isFalse();
        assertThatThrownBy(() -> after.decrypt(stored, before.keyId()))
                .hasMessageContaining("encrypted with key " + before.keyId()).hasMessageContaining("configured key is " + after.keyId());
        assertThatThrownBy(() -> during.decrypt(stored, "0123456789abcdef")).hasMessageContaining("previous ones are " + before.keyId());
        // a stored value under a known id but not that key's: refused, not misread
        assertThatThrownBy(() -> during.decrypt(again, before.keyId())).hasMessageContaining("cannot be decrypted");
        assertThatThrownBy(() -> CredentialCipher.ofKey(newKey, "not base64!")).hasMessageContaining("a previous key is not base64");
    }
}
