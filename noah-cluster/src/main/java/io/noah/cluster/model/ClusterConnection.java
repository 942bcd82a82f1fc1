package io.noah.cluster.model;

/** How Noah reaches a cluster's API server. Secret material: never logged, never returned. */
public sealed interface ClusterConnection {

    /**
     * A kubeconfig uploaded through the API; {@code context} null means its current context. Inline data only
     * (see {@code KubeconfigPolicy}).
     */
    record Kubeconfig(String content, String context) implements ClusterConnection {
        @Override
        public String toString() {
            return "Kubeconfig[context=" + context + ", content=<redacted>]";
        }
    }

    /**
     * A kubeconfig file named in Noah's own configuration (the operator's): file paths in it are allowed, exec
     * plugins only when enabled. Never created from an API request.
     */
    record KubeconfigFile(String path, String context) implements ClusterConnection {
    }

    /** API server URL, bearer token and the CA that signed the server's certificate (PEM). */
    record Token(String server, String token, String caCertificate) implements ClusterConnection {
        @Override
        public String toString() {
            return "Token[server=" + server + ", token=<redacted>]";
        }
    }
}
