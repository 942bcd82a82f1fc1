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
    private final boolean allowExecInDeclaredKubeconfigs;
    private final TlsEngineHttpClientFactory httpClients;

    public KubeClientFactory(Duration connectTimeout, Duration requestTimeout) {
        this(connectTimeout, requestTimeout, false, TlsEngine.AUTO);
    }

    /**
     * {@code allowExecInDeclaredKubeconfigs}: the operator's opt-in for exec plugins in kubeconfig files of the
     * configuration; {@code tlsEngine}: who does TLS towards the API servers ({@link TlsEngine}).
     */
    public KubeClientFactory(Duration connectTimeout, Duration requestTimeout, boolean allowExecInDeclaredKubeconfigs, TlsEngine tlsEngine) {
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.allowExecInDeclaredKubeconfigs = allowExecInDeclaredKubeconfigs;
        this.httpClients = new TlsEngineHttpClientFactory(tlsEngine.resolved()); // refuses OPENSSL where it does not load
    }

    public KubernetesClient create(ClusterConnection connection) {
        Config config = switch (connection) {
            case ClusterConnection.Kubeconfig k -> KubeconfigPolicy.fromCaller(k.content(), k.context());
            case ClusterConnection.KubeconfigFile f ->
                    KubeconfigPolicy.fromOperatorFile(f.path(), f.context(), allowExecInDeclaredKubeconfigs);
            case ClusterConnection.Token t -> fromToken(t);
        };
        config.setConnectionTimeout((int) connectTimeout.toMillis());
        config.setRequestTimeout((int) requestTimeout.toMillis());
        config.setRequestRetryBackoffLimit(2);
        config.setRequestRetryBackoffInterval(200);
        config.setWatchReconnectInterval(1000);
        config.setWatchReconnectLimit(-1);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(httpClients).build();
    }

    private static Config fromToken(ClusterConnection.Token t) {
        if (t.server() == null || t.server().isBlank()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "server", "server is required");
        }
        requireHttps(NoahException.Reason.INVALID_CONNECTION, "server", t.server());
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

    /** An API server URL Noah may send credentials to: https with a host. */
    static void requireHttps(NoahException.Reason reason, String field, String server) {
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw NoahException.invalid(reason, field, "server is not a URL: " + server);
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw NoahException.invalid(reason, field, "server must be an https:// URL, got " + server);
        }
    }
}
