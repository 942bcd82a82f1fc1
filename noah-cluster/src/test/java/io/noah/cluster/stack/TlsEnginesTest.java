package io.noah.cluster.stack;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.ops.PodExecs;
import io.noah.cluster.registry.KubeClientFactory;
import io.noah.cluster.registry.TlsEngine;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.noah.cluster.testing.Workloads.deployment;
import static io.noah.cluster.testing.Workloads.readyPods;
import static io.noah.cluster.testing.Workloads.uniqueNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Both TLS engines towards the API servers ({@link TlsEngine}) against the real ones: a client certificate (idc-a's
 * kubeconfig) and a token with its CA (idc-b) work, exec included; another cluster's CA is refused; and the server's
 * name is still checked against its certificate (an HTTPS server here whose certificate names another host is refused,
 * the same server with a certificate for 127.0.0.1 answers). On this machine AUTO must resolve to OpenSSL: the fast
 * path is the one the tests run.
 */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsEnginesTest {

    private LocalStack stack;
    private String ns;
    private String pod;

    @BeforeAll
    void createPod(LocalStack stack) {
        this.stack = stack;
        KubernetesClient admin = stack.client(stack.clusters().getFirst());
        ns = uniqueNamespace(admin, "tls");
        admin.apps().deployments().inNamespace(ns).resource(deployment("shell", 1, Map.of())).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> readyPods(admin, ns, "shell").size() == 1);
        pod = readyPods(admin, ns, "shell").getFirst().getMetadata().getName();
    }

    @AfterAll
    void deleteNamespace() {
        stack.client(stack.clusters().getFirst()).namespaces().withName(ns).delete();
    }

    private static KubeClientFactory factory(TlsEngine engine) {
        return new KubeClientFactory(Duration.ofSeconds(3), Duration.ofSeconds(10), false, engine);
    }

    @Test
    void autoIsOpenSslHere() {
        assertThat(TlsEngine.AUTO.resolved()).isEqualTo(TlsEngine.OPENSSL);
        assertThat(TlsEngine.AUTO.describe()).startsWith("OpenSSL (BoringSSL");
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"JDK", "OPENSSL"})
    void aClientCertificateAndATokenWorkExecIncluded(TlsEngine engine) {
        String a = stack.clusters().getFirst();
        String b = stack.clusters().getLast();
        try (KubernetesClient byCert = factory(engine).create(new ClusterConnection.Kubeconfig(stack.kubeconfigText(a), null));
             KubernetesClient byToken = factory(engine).create(new ClusterConnection.Token(stack.server(b), stack.token(b), stack.caCertificate(b)))) {
            assertThat(byCert.getKubernetesVersion().getMajor()).isEqualTo("1");
            assertThat(byToken.pods().inAnyNamespace().list().getItems()).isNotNull(); // authenticated and authorised (a 401/403 throws)
            // several execs in a row: the later ones resume the TLS session (OpenSSL) — each must still be right
            for (int i = 0; i < 5; i++) {
                var r = PodExecs.run(byCert, ns, pod, null, List.of("sh", "-c", "echo tls " + i + "; exit " + i), Duration.ofSeconds(20), 4096);
                assertThat(r.kind()).as(r.toString()).isEqualTo(PodExecs.Result.Kind.EXITED);
                assertThat(r.exitCode()).isEqualTo(i);
                assertThat(r.stdout()).isEqualTo("tls " + i + "\n");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"JDK", "OPENSSL"})
    void anotherClustersCaIsRefused(TlsEngine engine) {
        String a = stack.clusters().getFirst();
        String b = stack.clusters().getLast();
        try (KubernetesClient wrongCa = factory(engine).create(new ClusterConnection.Token(stack.server(b), stack.token(b), stack.caCertificate(a)))) {
            assertThatThrownBy(wrongCa::getKubernetesVersion).hasStackTraceContaining("SSL");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TlsEngine.class, names = {"JDK", "OPENSSL"})
    void theServersNameIsCheckedAgainstItsCertificate(TlsEngine engine) throws Exception {
        Path dir = Files.createTempDirectory("tls-engines");
        try {
            // the control first: a certificate for 127.0.0.1 is accepted, so the refusal below is the name's
            try (var server = HttpsVersionServer.start(dir, "ip:127.0.0.1");
                 KubernetesClient k = factory(engine).create(server.connection())) {
                assertThat(k.getKubernetesVersion().getGitVersion()).isEqualTo("v1.0.0-test");
            }
            try (var server = HttpsVersionServer.start(dir, "dns:other.example");
                 KubernetesClient k = factory(engine).create(server.connection())) {
                assertThatThrownBy(k::getKubernetesVersion).hasStackTraceContaining("SSL");
                assertThat(server.requests()).as("no request reached a server whose name was not verified").isZero();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A JDK HTTPS server on 127.0.0.1 answering /version, with a fresh self-signed certificate (keytool) for {@code san}. */
    private record HttpsVersionServer(HttpsServer server, String certificatePem, java.util.concurrent.atomic.AtomicInteger count)
            implements AutoCloseable {

        static HttpsVersionServer start(Path dir, String san) throws Exception {
            Path keystore = dir.resolve(san.replace(':', '-') + ".p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(keytool, "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-alias", "s",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test", "-ext", "san=" + san, "-ext", "bc:c", "-validity", "2");
            String pem = run(keytool, "-exportcert", "-rfc", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                    "-alias", "s");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = new FileInputStream(keystore.toFile())) {
                ks.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "changeit".toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(ctx));
            var count = new java.util.concurrent.atomic.AtomicInteger();
            server.createContext("/version", ex -> {
                count.incrementAndGet();
                byte[] body = "{\"major\":\"1\",\"minor\":\"0\",\"gitVersion\":\"v1.0.0-test\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            server.start();
            return new HttpsVersionServer(server, pem, count);
        }

        ClusterConnection connection() {
            return new ClusterConnection.Token("https://127.0.0.1:" + server.getAddress().getPort(), "test-token", certificatePem);
        }

        int requests() {
            return count.get();
        }

        @Override
        public void close() {
            server.stop(0);
        }

        private static String run(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
            }
            return out;
        }
    }
}
