package io.noah.api.clusters;

import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ClusterEntity;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clusters as stored and declared: a row's spec (credentials decrypted) and back (encrypted), a connection from a
 * request's fields, label checks, a cluster declared in the configuration.
 */
final class ClusterRows {

    private final CredentialCipher cipher;
    private final JsonMapper json;
    private final Clock clock;

    ClusterRows(CredentialCipher cipher, JsonMapper json, Clock clock) {
        this.cipher = cipher;
        this.json = json;
        this.clock = clock;
    }

    Map<String, String> labels(ClusterEntity e) {
        return json.readValue(e.labels, new TypeReference<>() {
        });
    }

    void write(ClusterEntity e, ClusterSpec spec) {
        e.idc = spec.idc();
        e.pool = spec.pool();
        e.labels = json.writeValueAsString(new LinkedHashMap<>(spec.labels()));
        e.maintenance = spec.maintenance();
        Map<String, String> secret = new LinkedHashMap<>();
        switch (spec.connection()) {
            case ClusterConnection.Kubeconfig k -> {
                e.connectionKind = "kubeconfig";
                secret.put("kubeconfig", k.content());
                if (k.context() != null) {
                    secret.put("context", k.context());
                }
            }
            case ClusterConnection.KubeconfigFile f ->
                    throw new IllegalArgumentException("a declared kubeconfig file is never stored: " + spec.name());
            case ClusterConnection.Token t -> {
                e.connectionKind = "token";
                secret.put("server", t.server());
                secret.put("token", t.token());
                secret.put("caCertificate", t.caCertificate());
            }
        }
        e.credentials = cipher.encrypt(json.writeValueAsString(secret));
        e.keyId = cipher.keyId();
        e.updatedAt = clock.instant();
    }

    /** The row's credentials under the current key when they are under a previous one (a rotation), else null. */
    byte[] reencrypted(ClusterEntity e) {
        return cipher.needsRekey(e.keyId) ? cipher.encrypt(cipher.decrypt(e.credentials, e.keyId)) : null;
    }

    String keyId() {
        return cipher.keyId();
    }

    ClusterSpec toSpec(ClusterEntity e) {
        Map<String, String> secret = json.readValue(cipher.decrypt(e.credentials, e.keyId), new TypeReference<>() {
        });
        ClusterConnection c = "kubeconfig".equals(e.connectionKind)
                ? new ClusterConnection.Kubeconfig(secret.get("kubeconfig"), secret.get("context"))
                : new ClusterConnection.Token(secret.get("server"), secret.get("token"), secret.get("caCertificate"));
        return new ClusterSpec(e.name, e.idc, e.pool, labels(e), e.maintenance, c, ClusterSpec.Source.API);
    }

    static ClusterConnection connection(String kubeconfig, String context, String server, String token, String ca) {
        boolean hasKubeconfig = kubeconfig != null && !kubeconfig.isBlank();
        boolean hasToken = server != null || token != null || ca != null;
        if (hasKubeconfig && hasToken) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "kubeconfig",
                    "give either a kubeconfig or server + token + caCertificate, not both");
        }
        if (hasKubeconfig) {
            return new ClusterConnection.Kubeconfig(kubeconfig, context);
        }
        if (hasToken) {
            return new ClusterConnection.Token(server, token, ca);
        }
        throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "kubeconfig",
                "a connection is required: a kubeconfig, or server + token + caCertificate");
    }

    static void checkLabels(Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            if (!LabelSelector.isValidKey(k)) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "labels", "'" + k + "' is not a valid label key");
            }
            if (!LabelSelector.isValidValue(v)) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "labels." + k, "'" + v + "' is not a valid label value");
            }
        });
    }

    static ClusterSpec declared(NoahProperties.DeclaredCluster d) {
        ClusterSpec.requireDnsLabel("noah.clusters[].name", d.name());
        ClusterConnection c;
        if (d.kubeconfigFile() != null) {
            c = new ClusterConnection.KubeconfigFile(d.kubeconfigFile(), d.context());
        } else {
            c = new ClusterConnection.Token(d.server(), d.tokenFile() == null ? null : read(d.tokenFile()).trim(),
                    d.caFile() == null ? null : read(d.caFile()));
        }
        return new ClusterSpec(d.name(), d.idc(), d.pool(), d.labels(), d.maintenance(), c, ClusterSpec.Source.CONFIG);
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
