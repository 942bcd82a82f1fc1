package io.noah.api.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Noah's typed configuration ({@code noah.*}). */
@ConfigurationProperties("noah")
public record NoahProperties(
        @DefaultValue("app") String appLabel,
        @DefaultValue List<String> namespaces,
        @DefaultValue("5s") Duration probeInterval,
        @DefaultValue("3s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        String bootstrapToken,
        @DefaultValue Encryption encryption,
        @DefaultValue List<DeclaredCluster> clusters,
        @DefaultValue("version") String versionLabel,
        String instanceId,
        @DefaultValue("15s") Duration releaseLease,
        @DefaultValue("2s") Duration releaseTick) {

    /** AES-256 key for credentials at rest: base64 in {@code key}, or a file holding it. */
    public record Encryption(String key, String keyFile) {
    }

    /** A cluster declared in the configuration instead of through the API. */
    public record DeclaredCluster(String name, String idc, String pool, Map<String, String> labels,
                                  boolean maintenance, String kubeconfigFile, String context,
                                  String server, String tokenFile, String caFile) {
    }
}
