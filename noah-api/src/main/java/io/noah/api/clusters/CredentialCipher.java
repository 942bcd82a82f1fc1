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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AES-256-GCM for cluster credentials at rest. The key comes from {@code noah.encryption.key}
 * (base64, 32 bytes; env NOAH_ENCRYPTION_KEY) or a file ({@code noah.encryption.key-file}). Each
 * value gets a fresh 96-bit nonce; the stored form is nonce || ciphertext+tag, with the key's id
 * (first 8 bytes of its SHA-256) beside it so a wrong key is reported, not silently misread. Previous keys
 * ({@code noah.encryption.previous-keys}) are accepted for reading during a rotation; see {@link #needsRekey}.
 */
@Component
public class CredentialCipher {

    private static final int NONCE_BYTES = 12;
    private final SecretKeySpec key;
    private final String keyId;
    /** The current key and the previous ones (a rotation under way), by key id. */
    private final Map<String, SecretKeySpec> readable = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    @org.springframework.beans.factory.annotation.Autowired
    public CredentialCipher(NoahProperties props) {
        this(loadKey(props.encryption()), previousKeys(props.encryption()));
    }

    /** With a base64 key (tools and tests that write rows as Noah would). */
    public static CredentialCipher ofKey(String base64Key, String... previousBase64Keys) {
        return new CredentialCipher(loadKey(new NoahProperties.Encryption(base64Key, null, List.of(), List.of())),
                java.util.Arrays.stream(previousBase64Keys).map(k -> decode(k, "a previous key")).toList());
    }

    private CredentialCipher(byte[] raw, List<byte[]> previous) {
        this.key = new SecretKeySpec(raw, "AES");
        this.keyId = idOf(raw);
        readable.put(keyId, key);
        for (byte[] p : previous) {
            readable.putIfAbsent(idOf(p), new SecretKeySpec(p, "AES"));
        }
    }

    private static String idOf(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<byte[]> previousKeys(NoahProperties.Encryption enc) {
        List<byte[]> keys = new ArrayList<>();
        if (enc == null) {
            return keys;
        }
        for (String b64 : enc.previousKeys()) {
            keys.add(decode(b64, "a key of noah.encryption.previous-keys"));
        }
        for (String file : enc.previousKeyFiles()) {
            keys.add(decode(read(file, "noah.encryption.previous-key-files"), "the key in " + file));
        }
        return keys;
    }

    private static String read(String file, String property) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + property + " " + file, e);
        }
    }

    private static byte[] loadKey(NoahProperties.Encryption enc) {
        String b64 = enc == null ? null : enc.key();
        if ((b64 == null || b64.isBlank()) && enc != null && enc.keyFile() != null && !enc.keyFile().isBlank()) {
            b64 = read(enc.keyFile(), "noah.encryption.key-file");
        }
        if (b64 == null || b64.isBlank()) {
            throw new IllegalStateException("no encryption key: set NOAH_ENCRYPTION_KEY (base64 of 32 random bytes, "
                    + "e.g. `head -c32 /dev/urandom | base64`) or noah.encryption.key-file");
        }
        return decode(b64, "the encryption key");
    }

    private static byte[] decode(String b64, String what) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(what + " must be 32 bytes (AES-256), got " + raw.length);
        }
        return raw;
    }

    /** Whether a value stored under {@code storedKeyId} should be re-encrypted with the current key (and can be). */
    public boolean needsRekey(String storedKeyId) {
        return !keyId.equals(storedKeyId) && readable.containsKey(storedKeyId);
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
        SecretKeySpec k = readable.get(storedKeyId);
        if (k == null) {
            throw new IllegalStateException("credentials were encrypted with key " + storedKeyId
                    + ", but the configured key is " + keyId + (readable.size() > 1 ? " and the previous ones are "
                    + String.join(", ", readable.keySet().stream().filter(id -> !id.equals(keyId)).toList()) : ""));
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            return new String(c.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("credentials cannot be decrypted (tampered or wrong key)", e);
        }
    }
}
