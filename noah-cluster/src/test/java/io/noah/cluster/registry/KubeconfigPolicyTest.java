package io.noah.cluster.registry;

import io.fabric8.kubernetes.client.Config;
import io.noah.cluster.model.NoahException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an uploaded kubeconfig may carry: inline data only; nothing of it is ever run or read from disk. */
class KubeconfigPolicyTest {

    @TempDir
    Path dir;

    private static String kubeconfig(String clusterExtra, String userBlock) {
        return """
                apiVersion: v1
                kind: Config
                current-context: main
                clusters:
                - name: c1
                  cluster:
                    server: https://127.0.0.1:6443
                    certificate-authority-data: Q0EK
                %s
                contexts:
                - name: main
                  context: {cluster: c1, user: u1, namespace: team-a}
                users:
                - name: u1
                  user:
                %s
                """.formatted(clusterExtra.indent(4).stripTrailing(), userBlock.indent(4).stripTrailing());
    }

    private static NoahException refused(String content) {
        return (NoahException) org.assertj.core.api.Assertions.catchThrowable(() -> KubeconfigPolicy.fromCaller(content, null));
    }

    @Test
    void inlineDataBuildsAClientConfigWithNothingFromTheEnvironment() {
        Config c = KubeconfigPolicy.fromCaller(kubeconfig("", "token: abc123"), null);
        assertThat(c.getMasterUrl()).startsWith("https://127.0.0.1:6443");
        assertThat(c.getOauthToken()).isEqualTo("abc123");
        assertThat(c.getCaCertData()).isEqualTo("Q0EK");
        assertThat(c.getNamespace()).isEqualTo("team-a");
        assertThat(c.getCaCertFile()).isNull();
        assertThat(c.getClientCertFile()).isNull();
        assertThat(c.getClientKeyFile()).isNull();
        assertThat(c.getFile()).isNull();
    }

    @Test
    void anExecPluginIsRefusedAndNeverRun() {
        Path marker = dir.resolve("ran");
        String exec = """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: sh
                  args: ["-c", "touch %s; echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"x\\"}}'"]
                """.formatted(marker);
        NoahException e = refused(kubeconfig("", exec));
        assertThat(e.reason()).isEqualTo(NoahException.Reason.KUBECONFIG_EXEC_NOT_ALLOWED);
        assertThat(e.reason().code()).isEqualTo("kubeconfig-exec-not-allowed");
        assertThat(e.field()).isEqualTo("kubeconfig.users[u1].user.exec");
        assertThat(marker).doesNotExist();
    }

    @Test
    void anExecPluginOfAnotherContextIsRefusedToo() {
        String content = kubeconfig("", "token: abc") + """
                - name: other
                  user:
                    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/true}
                """;
        assertThat(refused(content).field()).isEqualTo("kubeconfig.users[other].user.exec");
    }

    @Test
    void everyFileReferenceIsRefusedWithTheFieldNamed() {
        record Case(String cluster, String user, String field) {
        }
        for (Case c : java.util.List.of(
                new Case("", "tokenFile: /root/.cache/noah/run/admin.token", "users[u1].user.tokenFile"),
                new Case("", "client-certificate: /etc/ssl/cert.pem\nclient-key-data: S0VZ", "users[u1].user.client-certificate"),
                new Case("", "client-certificate-data: Q0VSVA==\nclient-key: /etc/ssl/key.pem", "users[u1].user.client-key"),
                new Case("certificate-authority: /etc/shadow", "token: x", "clusters[c1].cluster.certificate-authority"))) {
            NoahException e = refused(kubeconfig(c.cluster(), c.user()));
            assertThat(e.reason()).as(c.field()).isEqualTo(NoahException.Reason.KUBECONFIG_FILE_NOT_ALLOWED);
            assertThat(e.field()).isEqualTo("kubeconfig." + c.field());
            assertThat(e.getMessage()).contains(c.field());
        }
    }

    @Test
    void authProvidersProxiesAndSwitchedOffTlsAreRefused() {
        assertThat(refused(kubeconfig("", "auth-provider:\n  name: oidc\n  config: {idp-issuer-url: 'https://idp.example'}")).reason())
                .isEqualTo(NoahException.Reason.KUBECONFIG_AUTH_PROVIDER_NOT_ALLOWED);
        assertThat(refused(kubeconfig("proxy-url: http://10.0.0.1:3128", "token: x")).reason())
                .isEqualTo(NoahException.Reason.KUBECONFIG_PROXY_NOT_ALLOWED);
        assertThat(refused(kubeconfig("insecure-skip-tls-verify: true", "token: x")).reason())
                .isEqualTo(NoahException.Reason.KUBECONFIG_INSECURE_NOT_ALLOWED);
    }

    @Test
    void malformedOrIncompleteKubeconfigsAreInvalid() {
        for (String bad : java.util.List.of("", "this: [is not", "apiVersion: v1\nkind: Config\nclusters: []\n",
                kubeconfig("", "token: x").replace("https://127.0.0.1:6443", "http://127.0.0.1:6443"))) {
            assertThatThrownBy(() -> KubeconfigPolicy.fromCaller(bad, null)).isInstanceOfSatisfying(NoahException.class,
                    e -> assertThat(e.reason()).isEqualTo(NoahException.Reason.INVALID_KUBECONFIG));
        }
        assertThatThrownBy(() -> KubeconfigPolicy.fromCaller(kubeconfig("", "token: x"), "nope"))
                .isInstanceOfSatisfying(NoahException.class, e -> assertThat(e.field()).isEqualTo("context"));
    }

    @Test
    void aDeclaredKubeconfigFileMayNameFilesButRunsExecOnlyWhenTheOperatorAllowsIt() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, kubeconfig("", "token: x").replace("certificate-authority-data: Q0EK", "certificate-authority: ca.crt"));
        Config c = KubeconfigPolicy.fromOperatorFile(file.toString(), null, false);
        assertThat(c.getCaCertFile()).isEqualTo(dir.resolve("ca.crt").toString());

        Path marker = dir.resolve("ran");
        Files.writeString(file, kubeconfig("", "exec: {apiVersion: client.authentication.k8s.io/v1, command: touch, args: ['" + marker + "']}"));
        assertThatThrownBy(() -> KubeconfigPolicy.fromOperatorFile(file.toString(), null, false))
                .isInstanceOfSatisfying(NoahException.class, e -> assertThat(e.reason()).isEqualTo(NoahException.Reason.KUBECONFIG_EXEC_NOT_ALLOWED));
        assertThat(marker).doesNotExist();
        KubeconfigPolicy.fromOperatorFile(file.toString(), null, true); // the operator's opt-in: fabric8 runs it
        assertThat(marker).exists();
    }
}
