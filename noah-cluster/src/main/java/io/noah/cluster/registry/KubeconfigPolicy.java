package io.noah.cluster.registry;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.noah.cluster.model.NoahException;

import java.io.File;
import java.util.List;
import java.util.Objects;

/**
 * Kubeconfigs are parsed into fabric8's model and checked here before anything of them reaches the
 * client library. What a caller uploads through the API may carry inline data only: an
 * {@code exec} plugin (a command Noah would run), an {@code auth-provider} (token refresh against a
 * URL of the caller's choosing), any file path ({@code tokenFile}, {@code client-certificate},
 * {@code client-key}, {@code certificate-authority}: Noah would read its own disk on the caller's
 * behalf), a {@code proxy-url} and {@code insecure-skip-tls-verify} are refused with a code naming the
 * field. The client configuration is then built field by field from the checked model, never by
 * fabric8's kubeconfig loader (which runs exec plugins and reads files). Kubeconfig files declared in
 * Noah's own configuration are the operator's: file paths are fine there, exec plugins only when the
 * operator enabled them.
 */
public final class KubeconfigPolicy {

    private KubeconfigPolicy() {
    }

    /** A kubeconfig uploaded through the API: checked strictly; the result holds inline data only. */
    public static Config fromCaller(String content, String context) {
        var kubeconfig = parse(content);
        refuseUnsafe(kubeconfig);
        NamedContext ctx = context(kubeconfig, context);
        Cluster cluster = find(kubeconfig.getClusters(), NamedCluster::getName, ctx.getContext().getCluster(), "cluster")
                .getCluster();
        String server = cluster.getServer();
        requireHttps(server);
        ConfigBuilder b = new ConfigBuilder(Config.empty())
                .withMasterUrl(server)
                .withCaCertData(blankToNull(cluster.getCertificateAuthorityData()))
                .withTlsServerName(blankToNull(cluster.getTlsServerName()))
                .withNamespace(blankToNull(ctx.getContext().getNamespace()));
        String userName = ctx.getContext().getUser();
        if (userName != null && !userName.isBlank()) {
            AuthInfo user = find(kubeconfig.getUsers(), NamedAuthInfo::getName, userName, "user").getUser();
            String keyData = blankToNull(user.getClientKeyData());
            b.withClientCertData(blankToNull(user.getClientCertificateData()))
                    .withClientKeyData(keyData)
                    .withClientKeyAlgo(keyData == null ? null : Config.getKeyAlgorithm(null, keyData))
                    .withOauthToken(blankToNull(user.getToken()))
                    .withUsername(blankToNull(user.getUsername()))
                    .withPassword(blankToNull(user.getPassword()));
        }
        Config config = b.build();
        config.setCurrentContext(ctx);
        return config;
    }

    /**
     * A kubeconfig file named in Noah's configuration: fabric8 loads it (relative paths, token files),
     * but an exec plugin is refused unless the operator enabled them ({@code allowExec}).
     */
    public static Config fromOperatorFile(String path, String context, boolean allowExec) {
        File file = new File(path);
        String content;
        try {
            content = java.nio.file.Files.readString(file.toPath());
        } catch (java.io.IOException e) {
            throw invalid("kubeconfig", "cannot read " + path + ": " + e.getMessage());
        }
        var kubeconfig = parse(content);
        if (!allowExec) {
            forEachUser(kubeconfig, (name, u) -> {
                if (u.getExec() != null) {
                    throw refused(NoahException.Reason.KUBECONFIG_EXEC_NOT_ALLOWED, "users[" + name + "].user.exec",
                            "exec plugins in declared kubeconfigs run only when noah.kubeconfig.allow-exec-plugins=true");
                }
            });
        }
        NamedContext ctx = context(kubeconfig, context);
        Config config = Config.fromKubeconfig(ctx.getName(), file);
        requireServer(config.getMasterUrl());
        return config;
    }

    private static io.fabric8.kubernetes.api.model.Config parse(String content) {
        if (content == null || content.isBlank()) {
            throw invalid("kubeconfig", "it is empty");
        }
        io.fabric8.kubernetes.api.model.Config k;
        try {
            k = Serialization.unmarshal(content, io.fabric8.kubernetes.api.model.Config.class);
        } catch (RuntimeException e) {
            throw invalid("kubeconfig", "it is not a kubeconfig document (" + rootMessage(e) + ")");
        }
        if (k == null || k.getClusters() == null || k.getClusters().isEmpty()) {
            throw invalid("kubeconfig", "it names no cluster");
        }
        return k;
    }

    /** Every entry of the document, not only the selected context's: nothing unsafe is stored. */
    private static void refuseUnsafe(io.fabric8.kubernetes.api.model.Config k) {
        for (NamedCluster nc : k.getClusters()) {
            Cluster c = nc.getCluster();
            if (c == null) {
                continue;
            }
            String at = "clusters[" + nc.getName() + "].cluster.";
            if (notBlank(c.getCertificateAuthority())) {
                throw refused(NoahException.Reason.KUBECONFIG_FILE_NOT_ALLOWED, at + "certificate-authority",
                        "give the CA inline as certificate-authority-data");
            }
            if (notBlank(c.getProxyUrl())) {
                throw refused(NoahException.Reason.KUBECONFIG_PROXY_NOT_ALLOWED, at + "proxy-url",
                        "Noah dials API servers directly; a proxy is operator configuration");
            }
            if (Boolean.TRUE.equals(c.getInsecureSkipTlsVerify())) {
                throw refused(NoahException.Reason.KUBECONFIG_INSECURE_NOT_ALLOWED, at + "insecure-skip-tls-verify",
                        "give the CA that signed the API server's certificate as certificate-authority-data");
            }
        }
        forEachUser(k, (name, u) -> {
            String at = "users[" + name + "].user.";
            if (u.getExec() != null) {
                throw refused(NoahException.Reason.KUBECONFIG_EXEC_NOT_ALLOWED, at + "exec",
                        "Noah never runs a command from an uploaded kubeconfig; give a token or a client certificate inline");
            }
            if (u.getAuthProvider() != null) {
                throw refused(NoahException.Reason.KUBECONFIG_AUTH_PROVIDER_NOT_ALLOWED, at + "auth-provider",
                        "give a token or a client certificate inline");
            }
            if (notBlank(u.getTokenFile())) {
                throw refused(NoahException.Reason.KUBECONFIG_FILE_NOT_ALLOWED, at + "tokenFile", "give the token inline as token");
            }
            if (notBlank(u.getClientCertificate())) {
                throw refused(NoahException.Reason.KUBECONFIG_FILE_NOT_ALLOWED, at + "client-certificate",
                        "give the certificate inline as client-certificate-data");
            }
            if (notBlank(u.getClientKey())) {
                throw refused(NoahException.Reason.KUBECONFIG_FILE_NOT_ALLOWED, at + "client-key",
                        "give the key inline as client-key-data");
            }
        });
    }

    private interface UserCheck {
        void check(String name, AuthInfo user);
    }

    private static void forEachUser(io.fabric8.kubernetes.api.model.Config k, UserCheck check) {
        if (k.getUsers() != null) {
            for (NamedAuthInfo u : k.getUsers()) {
                if (u.getUser() != null) {
                    check.check(u.getName(), u.getUser());
                }
            }
        }
    }

    private static NamedContext context(io.fabric8.kubernetes.api.model.Config k, String wanted) {
        String name = wanted != null && !wanted.isBlank() ? wanted : k.getCurrentContext();
        if (name == null || name.isBlank()) {
            throw invalid("context", "it sets no current-context; name one in context");
        }
        List<NamedContext> contexts = k.getContexts() == null ? List.of() : k.getContexts();
        NamedContext ctx = contexts.stream().filter(c -> name.equals(c.getName()) && c.getContext() != null).findFirst()
                .orElseThrow(() -> invalid(wanted != null ? "context" : "kubeconfig", "it has no context '" + name + "'"));
        if (ctx.getContext().getCluster() == null || ctx.getContext().getCluster().isBlank()) {
            throw invalid("kubeconfig", "context '" + name + "' names no cluster");
        }
        return ctx;
    }

    private static <T> T find(List<T> items, java.util.function.Function<T, String> name, String wanted, String what) {
        return (items == null ? List.<T>of() : items).stream().filter(i -> Objects.equals(name.apply(i), wanted)).findFirst()
                .orElseThrow(() -> invalid("kubeconfig", "it has no " + what + " '" + wanted + "'"));
    }

    private static void requireHttps(String server) {
        requireServer(server);
        KubeClientFactory.requireHttps(NoahException.Reason.INVALID_KUBECONFIG, "kubeconfig", server);
    }

    private static void requireServer(String server) {
        if (server == null || server.isBlank() || "https://kubernetes.default.svc/".equals(server)) {
            throw invalid("kubeconfig", "it names no cluster server");
        }
    }

    private static NoahException refused(NoahException.Reason reason, String field, String hint) {
        return NoahException.invalid(reason, "kubeconfig." + field, "kubeconfig: " + field + " is not accepted: " + hint);
    }

    private static NoahException invalid(String field, String why) {
        return NoahException.invalid(NoahException.Reason.INVALID_KUBECONFIG, field, "kubeconfig is invalid: " + why);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String blankToNull(String s) {
        return notBlank(s) ? s : null;
    }

    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}
