package io.noah.cluster.registry;

import io.netty.handler.ssl.OpenSsl;

/**
 * Who does TLS towards the API servers. {@code OPENSSL} is BoringSSL through netty-tcnative (shipped for Linux x86-64
 * and aarch64): a handshake costs a fraction of the JDK's, and its client session cache resumes TLS 1.3 sessions, so
 * the short exec connections of a batch (one websocket, one TLS connection per pod) skip the certificate exchange and
 * the client-certificate signature. {@code JDK} is the JDK's SSLEngine. {@code AUTO}: OpenSSL when its native library
 * loads here, else the JDK.
 */
public enum TlsEngine {
    AUTO, JDK, OPENSSL;

    public TlsEngine resolved() {
        return switch (this) {
            case AUTO -> OpenSsl.isAvailable() ? OPENSSL : JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("noah.tls-engine=openssl but netty-tcnative does not load here: "
                            + OpenSsl.unavailabilityCause());
                }
                yield OPENSSL;
            }
            case JDK -> JDK;
        };
    }

    /** For the start-up log: the engine and its library. */
    public String describe() {
        return switch (resolved()) {
            case OPENSSL -> "OpenSSL (" + OpenSsl.versionString() + " through netty-tcnative)";
            case JDK -> "the JDK's SSLEngine" + (this == AUTO ? " (netty-tcnative does not load here: " + OpenSsl.unavailabilityCause() + ")" : "");
            case AUTO -> throw new IllegalStateException();
        };
    }
}
