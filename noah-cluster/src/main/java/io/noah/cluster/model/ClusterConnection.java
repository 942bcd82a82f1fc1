package io.noah.cluster.model;

/** How Noah reaches a cluster's API server. Secret material: never logged, never returned. */
public sealed interface ClusterConnection {

    /** An uploaded kubeconfig; {@code context} null means its current context. */
    record Kubeconfig(String content, String context) implements ClusterConnection {
        @Override
        public String toString() {
            return "Kubeconfig[context=" + context + ", content=<redacted>]";
        }
    }

    /** API server URL, bearer token and the CA that signed the server's certificate (PEM). */
    record Token(String server, String token, String caCertificate) implements ClusterConnection {
        @Override
        public String toString() {
            return "Token[server=" + server + ", token=<redacted>]";
        }
    }
}
