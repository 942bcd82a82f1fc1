package io.noah.cluster.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real local stack (Kubernetes clusters, PostgreSQL, Kafka) that {@code deploy/local/stack.sh}
 * runs on 127.0.0.1, as the tests see it. One instance per JVM, read from the stack file the script
 * writes. When the file is missing (a test started from an IDE), the stack is started once here;
 * a missing service is never a reason to skip.
 */
public final class LocalStack {

    private static volatile LocalStack instance;

    private final Path stackFile;
    private final Properties props;
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();

    private LocalStack(Path stackFile, Properties props) {
        this.stackFile = stackFile;
        this.props = props;
    }

    /** The stack of this test run, started if needed. */
    public static LocalStack get() {
        LocalStack s = instance;
        if (s == null) {
            synchronized (LocalStack.class) {
                if (instance == null) {
                    instance = load();
                    Runtime.getRuntime().addShutdownHook(new Thread(instance::closeClients, "local-stack-close"));
                }
                s = instance;
            }
        }
        return s;
    }

    private static LocalStack load() {
        String configured = System.getProperty("noah.stack.file", System.getenv("NOAH_STACK_FILE"));
        Path file = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "noah", "run", "stack.properties");
        if (!Files.isRegularFile(file)) {
            startStack(file);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stack file " + file, e);
        }
        if (p.getProperty("clusters", "").isBlank()) {
            throw new IllegalStateException("the stack file " + file + " names no cluster; run deploy/local/stack.sh up");
        }
        return new LocalStack(file, p);
    }

    private static void startStack(Path file) {
        Path script = findRepoFile("deploy/local/stack.sh");
        run(List.of("bash", script.toString(), "up"), Duration.ofMinutes(60));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("stack.sh up did not write " + file);
        }
    }

    private static Path findRepoFile(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find " + relative + " above " + dir);
    }

    private static void run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String required(String key) {
        String v = props.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("the stack file " + stackFile + " has no " + key);
        }
        return v;
    }

    public List<String> clusters() {
        return Arrays.stream(required("clusters").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public Path kubeconfig(String cluster) {
        return Path.of(required("cluster." + cluster + ".kubeconfig"));
    }

    public String kubeconfigText(String cluster) {
        return read(kubeconfig(cluster));
    }

    public String server(String cluster) {
        return required("cluster." + cluster + ".server");
    }

    /** A bearer token of a cluster-admin service account in that cluster. */
    public String token(String cluster) {
        return read(Path.of(required("cluster." + cluster + ".token-file"))).trim();
    }

    /** A read-only service account's token file (get/list/watch pods, Deployments, nodes, namespaces; nothing else). */
    public Path readerTokenFile(String cluster) {
        return Path.of(required("cluster." + cluster + ".reader-token-file"));
    }

    public Path caFile(String cluster) {
        return Path.of(required("cluster." + cluster + ".ca-file"));
    }

    public String caCertificate(String cluster) {
        return read(Path.of(required("cluster." + cluster + ".ca-file")));
    }

    public String idc(String cluster) {
        return required("cluster." + cluster + ".idc");
    }

    /** The local metric store's base URL (VictoriaMetrics: the Prometheus query API and its import API). */
    public String metricsUrl() {
        return required("metrics.url");
    }

    public String jdbcUrl() {
        return required("postgres.jdbc-url");
    }

    public String jdbcAdminUrl() {
        return required("postgres.admin-url");
    }

    /**
     * A database of the caller's own on the stack's PostgreSQL, dropped first if an earlier run left it (a Noah started
     * on it migrates its schema); its JDBC URL. Needs a PostgreSQL driver on the caller's class path.
     */
    public String freshDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (var admin = java.sql.DriverManager.getConnection(jdbcAdminUrl(), jdbcUser(), jdbcPassword());
             var st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    public String jdbcUser() {
        return required("postgres.user");
    }

    public String jdbcPassword() {
        return props.getProperty("postgres.password", "");
    }

    public String kafkaBootstrapServers() {
        return required("kafka.bootstrap-servers");
    }

    public Path kubectl() {
        return Path.of(required("kubectl"));
    }

    /**
     * A fabric8 client for one cluster, admin credentials from its kubeconfig; closed at JVM exit.
     * Requests are not retried (fabric8 retries ten times with backoff by default, ~20 s against a
     * stopped apiserver): a test sees a cluster's failure at once.
     */
    public KubernetesClient client(String cluster) {
        return clients.computeIfAbsent(cluster, c -> {
            Config config = Config.fromKubeconfig(kubeconfigText(c));
            config.setRequestRetryBackoffLimit(0);
            return new KubernetesClientBuilder().withConfig(config).build();
        });
    }

    /**
     * Creates namespace {@code name} and waits until the service-account controller has made its
     * "default" account (until then the apiserver refuses pods in it).
     */
    public static String createNamespace(KubernetesClient client, String name) {
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("noah.io/test", "true").endMetadata().build()).create();
        org.awaitility.Awaitility.await(name + ": default service account").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
        return name;
    }

    /** Stops a cluster's kube-apiserver (etcd, controllers and KWOK keep running) for fault tests. */
    public void stopApiServer(String cluster) {
        run(List.of("bash", required("stack.script"), "apiserver", "stop", cluster), Duration.ofMinutes(2));
    }

    /** Starts the kube-apiserver again and waits until it serves. */
    public void startApiServer(String cluster) {
        run(List.of("bash", required("stack.script"), "apiserver", "start", cluster), Duration.ofMinutes(3));
    }

    /**
     * Compacts a cluster's etcd at its current revision (through etcd's JSON gateway), so no watch can
     * resume from an older resourceVersion: with an API server restart this forces 410 Gone.
     */
    public long compactEtcd(String cluster) {
        String etcd = required("cluster." + cluster + ".etcd");
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            String status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(etcd + "/v3/kv/range"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"key\":\"AA==\",\"limit\":1}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            var m = java.util.regex.Pattern.compile("\"revision\":\"(\\d+)\"").matcher(status);
            if (!m.find()) {
                throw new IllegalStateException("no etcd revision in " + status);
            }
            long rev = Long.parseLong(m.group(1));
            var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(etcd + "/v3/kv/compaction"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"revision\":\"" + rev + "\",\"physical\":true}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("etcd compaction failed: " + res.body());
            }
            return rev;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the Kafka broker (its data stays) for fault tests. */
    public void stopKafka() {
        run(List.of("bash", required("stack.script"), "kafka", "stop"), Duration.ofMinutes(2));
    }

    /** Starts the Kafka broker again and waits until it listens. */
    public void startKafka() {
        run(List.of("bash", required("stack.script"), "kafka", "start"), Duration.ofMinutes(3));
    }

    private void closeClients() {
        clients.values().forEach(KubernetesClient::close);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
