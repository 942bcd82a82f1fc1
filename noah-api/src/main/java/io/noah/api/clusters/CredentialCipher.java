package io.noah.api.clusters;

import io.noah.api.config.NoahProperties;
import org.springframework.stereotype.Component;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * AES-256-GCM for cluster credentials at rest. The key comes from {@code noah.encryption.key}
 * (base64, 32 bytes; env NOAH_ENCRYPTION_KEY) or a file ({@code noah.encryption.key-file}). Each
 * value gets a fresh 96-bit nonce; the stored form is nonce || ciphertext+tag, with the key's id
 * (first 8 bytes of its SHA-256) beside it so a wrong key is reported, not silently misread.
 */
@Component
public class CredentialCipher {

    private static final int NONCE_BYTES = 12;
    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random = new SecureRandom();

    @org.springframework.beans.factory.annotation.Autowired
    public CredentialCipher(NoahProperties props) {
        this(loadKey(props.encryption()));
    }

    /** With a base64 key (tools and tests that write rows as Noah would). */
    public static CredentialCipher ofKey(String base64Key) {
        return new CredentialCipher(loadKey(new NoahProperties.Encryption(base64Key, null)));
    }

    private CredentialCipher(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
        try {
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] loadKey(NoahProperties.Encryption enc) {
        String b64 = enc == null ? null : enc.key();
        if ((b64 == null || b64.isBlank()) && enc != null && enc.keyFile() != null && !enc.keyFile().isBlank()) {
            try {
                b64 = Files.readString(Path.of(enc.keyFile())).trim();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot read noah.encryption.key-file " + enc.keyFile(), e);
            }
        }
        if (b64 == null || b64.isBlank()) {
            throw new IllegalStateException("no encryption key: set NOAH_ENCRYPTION_KEY (base64 of 32 random bytes, "
                    + "e.g. `head -c32 /dev/urandom | base64`) or noah.encryption.key-file");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the encryption key is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("the encryption key must be 32 bytes (AES-256), got " + raw.length);
        }
        return raw;
    }

    public String keyId() {
        return keyId;
    }

    public byte[] encrypt(String plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public String decrypt(byte[] stored, String storedKeyId) {
        if (!keyId.equals(storedKeyId)) {
            throw new IllegalStateException("credentials were encrypted with key " + storedKeyId
                    + ", but the configured key is " + keyId);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            return new String(c.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("credentials cannot be decrypted (tampered or wrong key)", e);
        }
    }
}
