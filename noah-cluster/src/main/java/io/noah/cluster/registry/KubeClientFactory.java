package io.noah.cluster.registry;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.NoahException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Builds a fabric8 client from a {@link ClusterConnection}, never from the environment
 * (~/.kube/config, service-account files, KUBERNETES_* variables). Timeouts are short and requests
 * are retried only twice, so an unreachable cluster shows quickly instead of holding callers.
 */
public final class KubeClientFactory {

    private final Duration connectTimeout;
    private final Duration requestTimeout;

    public KubeClientFactory(Duration connectTimeout, Duration requestTimeout) {
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
    }

    public KubernetesClient create(ClusterConnection connection) {
        Config config = switch (connection) {
            case ClusterConnection.Kubeconfig k -> fromKubeconfig(k);
            case ClusterConnection.Token t -> fromToken(t);
        };
        config.setConnectionTimeout((int) connectTimeout.toMillis());
        config.setRequestTimeout((int) requestTimeout.toMillis());
        config.setRequestRetryBackoffLimit(2);
        config.setRequestRetryBackoffInterval(200);
        config.setWatchReconnectInterval(1000);
        config.setWatchReconnectLimit(-1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Config fromKubeconfig(ClusterConnection.Kubeconfig k) {
        if (k.content() == null || k.content().isBlank()) {
            throw invalidKubeconfig("it is empty");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(k.context(), k.content(), null);
        } catch (RuntimeException e) {
            throw invalidKubeconfig(rootMessage(e));
        }
        if (config.getMasterUrl() == null || config.getMasterUrl().isBlank() || "https://kubernetes.default.svc/".equals(config.getMasterUrl())) {
            throw invalidKubeconfig("it names no cluster server" + (k.context() == null ? "" : " for context '" + k.context() + "'"));
        }
        if (k.context() != null && (config.getCurrentContext() == null || !k.context().equals(config.getCurrentContext().getName()))) {
            throw invalidKubeconfig("it has no context '" + k.context() + "'");
        }
        return config;
    }

    private static Config fromToken(ClusterConnection.Token t) {
        if (t.server() == null || t.server().isBlank()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "server", "server is required");
        }
        URI uri;
        try {
            uri = URI.create(t.server());
        } catch (IllegalArgumentException e) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "server", "server is not a URL: " + t.server());
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "server", "server must be an https:// URL, got " + t.server());
        }
        if (t.token() == null || t.token().isBlank()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "token", "token is required");
        }
        if (t.caCertificate() == null || !t.caCertificate().contains("-----BEGIN CERTIFICATE-----")) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "caCertificate",
                    "caCertificate must be the PEM certificate of the CA that signed the API server's certificate");
        }
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(t.server())
                .withOauthToken(t.token())
                .withCaCertData(Base64.getEncoder().encodeToString(t.caCertificate().getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    private static NoahException invalidKubeconfig(String why) {
        return NoahException.invalid(NoahException.Reason.INVALID_KUBECONFIG, "kubeconfig", "kubeconfig is invalid: " + why);
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}
