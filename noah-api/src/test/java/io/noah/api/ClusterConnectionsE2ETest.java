package io.noah.api;

import io.noah.api.clusters.CredentialCipher;
import io.noah.cluster.testing.LocalStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a caller's kubeconfig can make Noah do (nothing but connect with inline credentials), stored rows that
 * carry what is refused now, and operational state (maintenance) on clusters declared in the configuration.
 */
class ClusterConnectionsE2ETest {

    private final LocalStack stack = LocalStack.get();
    private final NoahServer noah = NoahServer.get();
    private final String id = UUID.randomUUID().toString().substring(0, 6);

    @TempDir
    Path dir;

    /** A kubeconfig whose user runs a shell line that leaves a marker and prints a credential. */
    private String execKubeconfig(Path marker) {
        return """
                apiVersion: v1
                kind: Config
                current-context: evil
                clusters:
                - name: c
                  cluster: {server: "%s"}
                contexts:
                - name: evil
                  context: {cluster: c, user: u}
                users:
                - name: u
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: sh
                      args: ["-c", "touch %s; echo '{\\"apiVersion\\":\\"client.authentication.k8s.io/v1\\",\\"kind\\":\\"ExecCredential\\",\\"status\\":{\\"token\\":\\"x\\"}}'"]
                """.formatted(stack.server(stack.clusters().getFirst()), marker);
    }

    private NoahServer.Response register(String token, String name, String kubeconfig) {
        return noah.post("/api/v1/clusters", token, Map.of("name", name, "idc", "dc-sec", "kubeconfig", kubeconfig,
                "reason", "security test"));
    }

    @Test
    void anUploadedKubeconfigCanNeitherRunCommandsNorReadNoahsFiles() throws Exception {
        String ops = noah.token("ops-sec-" + id, "OPS", null);
        Path marker = dir.resolve("exec-ran");
        var exec = register(ops, "exec-" + id, execKubeconfig(marker));
        assertThat(exec.status()).as(exec.raw()).isEqualTo(400);
        assertThat(exec.code()).isEqualTo("kubeconfig-exec-not-allowed");
        assertThat(exec.body().get("errors").get(0).get("field").asString()).isEqualTo("kubeconfig.users[u].user.exec");

        String inline = stack.kubeconfigText(stack.clusters().getFirst());
        // Noah's own admin token, and a file only root may read: neither is read on a caller's behalf
        String adminToken = System.getProperty("user.home") + "/.cache/noah/run/admin.token";
        String tokenFile = inline.replaceAll("(?m)^(\\s+)client-certificate-data: .*$", "$1tokenFile: " + adminToken)
                .replaceAll("(?m)^\\s+client-key-data: .*\\n", "");
        var file = register(ops, "tokenfile-" + id, tokenFile);
        assertThat(file.code()).as(file.raw()).isEqualTo("kubeconfig-file-not-allowed");
        assertThat(file.body().get("errors").get(0).get("field").asString()).endsWith(".user.tokenFile");
        var shadow = register(ops, "shadow-" + id, inline.replaceAll("(?m)^(\\s+)certificate-authority-data: .*$", "$1certificate-authority: /etc/shadow"));
        assertThat(shadow.code()).as(shadow.raw()).isEqualTo("kubeconfig-file-not-allowed");
        assertThat(shadow.body().get("errors").get(0).get("field").asString()).endsWith(".cluster.certificate-authority");
        assertThat(noah.get("/api/v1/clusters/exec-" + id, ADMIN_TOKEN).status()).isEqualTo(404);
        // never, also not in the registry syncs of the instances (every second here)
        await("the exec plugin never runs").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(marker));
    }

    @Test
    void aStoredClusterWithAnExecPluginIsRefusedWhenLoadedNeverRunAndCanBeFixed() throws Exception {
        Path marker = dir.resolve("stored-exec-ran");
        String name = "stored-" + id;
        CredentialCipher cipher = CredentialCipher.ofKey(NoahServer.KEY);
        Map<String, String> secret = new LinkedHashMap<>();
        secret.put("kubeconfig", execKubeconfig(marker));
        // a row as an earlier version of Noah stored it, before kubeconfigs were checked
        insertRow(name, cipher.encrypt(JsonMapper.builder().build().writeValueAsString(secret)), cipher.keyId());
        try {
            await("the stored cluster shown as refused").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() ->
                    noah.get("/api/v1/clusters/" + name, ADMIN_TOKEN).status() == 200);
            JsonNode refused = noah.get("/api/v1/clusters/" + name, ADMIN_TOKEN).body();
            assertThat(refused.get("status").get("reachable").asBoolean()).isFalse();
            assertThat(refused.get("status").get("error").asString()).contains("not registered", "users[u].user.exec");
            assertThat(noah.get("/api/v1/clusters", ADMIN_TOKEN).body().findValues("name").stream().map(JsonNode::asString)).contains(name);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    noah.get("/actuator/health", ADMIN_TOKEN).body().get("components").get("clusters").get("details").get(name)
                            .get("error").asString()).contains("exec")); // health is computed at most once a second
            // a restart loads it the same way
            noah.restart();
            assertThat(noah.get("/api/v1/clusters/" + name, ADMIN_TOKEN).body().get("status").get("error").asString()).contains("exec");
            assertThat(marker).as("never executed, neither by the sync nor at start").doesNotExist();

            // fixed with an inline kubeconfig: registered and serving
            var fixed = noah.send("PATCH", "/api/v1/clusters/" + name, ADMIN_TOKEN,
                    Map.of("kubeconfig", stack.kubeconfigText(stack.clusters().getFirst()), "reason", "replace the exec plugin"));
            assertThat(fixed.status()).as(fixed.raw()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    noah.get("/api/v1/clusters/" + name, ADMIN_TOKEN).body().get("status").get("reachable").asBoolean());
        } finally {
            assertThat(noah.send("DELETE", "/api/v1/clusters/" + name, ADMIN_TOKEN, null).status()).isEqualTo(204);
        }
        assertThat(marker).doesNotExist();
    }

    /** A row as another instance (or an earlier version) wrote it, straight into the registry's table. */
    private void insertRow(String name, byte[] credentials, String keyId) throws Exception {
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
             PreparedStatement ps = c.prepareStatement("insert into cluster (name, idc, pool, labels, maintenance, connection_kind,"
                     + " credentials, key_id, created_at, updated_at) values (?, 'dc-sec', ?, '{}', false, 'kubeconfig', ?, ?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.setBytes(3, credentials);
            ps.setString(4, keyId);
            ps.setTimestamp(5, Timestamp.from(Instant.now()));
            ps.setTimestamp(6, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }
    }

    @Test
    void aRowThatCannotBeDecryptedIsReportedAndTheOtherClustersStillSync() throws Exception {
        String bad = "undecryptable-" + id;
        String good = "synced-" + id;
        insertRow(bad, "not an AES-GCM blob".getBytes(), "0123456789abcdef");
        try {
            CredentialCipher cipher = CredentialCipher.ofKey(NoahServer.KEY);
            insertRow(good, cipher.encrypt(JsonMapper.builder().build().writeValueAsString(
                    Map.of("kubeconfig", stack.kubeconfigText(stack.clusters().getFirst())))), cipher.keyId());
            // registered elsewhere: this instance picks it up through the registry sync, past the row it cannot read
            await("the readable row registered by the sync").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        var r = noah.get("/api/v1/clusters/" + good, ADMIN_TOKEN);
                        return r.status() == 200 && r.body().get("status").get("reachable").asBoolean();
                    });
            JsonNode refused = noah.get("/api/v1/clusters/" + bad, ADMIN_TOKEN).body();
            assertThat(refused.get("status").get("error").asString()).contains("not registered", "cannot be read", "0123456789abcdef");
        } finally {
            noah.send("DELETE", "/api/v1/clusters/" + good, ADMIN_TOKEN, null);
            assertThat(noah.send("DELETE", "/api/v1/clusters/" + bad, ADMIN_TOKEN, null).status()).isEqualTo(204);
            // whatever happened above: no row of this test may stay (the sync would register it in every later test)
            try (Connection c = DriverManager.getConnection(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword());
                 PreparedStatement ps = c.prepareStatement("delete from cluster where name = any(?)")) {
                ps.setArray(1, c.createArrayOf("text", new Object[]{good, bad}));
                ps.executeUpdate();
            }
        }
    }

    @Test
    void maintenanceOfADeclaredClusterIsSetThroughTheApiPersistsAndIsAudited() {
        String name = "decl-" + id;
        Map<String, String> declared = Map.of("noah.clusters[0].name", name, "noah.clusters[0].idc", "dc-decl",
                "noah.clusters[0].kubeconfig-file", stack.kubeconfig(stack.clusters().getFirst()).toString());
        NoahProcess first = NoahProcess.start(stack, "decl-" + id, "15s", declared);
        try {
            JsonNode before = noah.sendTo(first.port(), "GET", "/api/v1/clusters/" + name, ADMIN_TOKEN, null).body();
            assertThat(before.get("source").asString()).isEqualTo("config");
            assertThat(before.get("maintenance").asBoolean()).isFalse();
            var patched = noah.sendTo(first.port(), "PATCH", "/api/v1/clusters/" + name, ADMIN_TOKEN,
                    Map.of("maintenance", true, "labels", Map.of("rack-group", "a"), "reason", "kernel upgrade " + id));
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            assertThat(patched.body().get("maintenance").asBoolean()).isTrue();
            var idc = noah.sendTo(first.port(), "PATCH", "/api/v1/clusters/" + name, ADMIN_TOKEN, Map.of("idc", "elsewhere"));
            assertThat(idc.status()).isEqualTo(409);
            assertThat(idc.code()).isEqualTo("cluster-declared-in-config");
        } finally {
            first.close();
        }
        NoahProcess second = NoahProcess.start(stack, "decl2-" + id, "15s", declared);
        try {
            JsonNode after = noah.sendTo(second.port(), "GET", "/api/v1/clusters/" + name, ADMIN_TOKEN, null).body();
            assertThat(after.get("maintenance").asBoolean()).as("persisted across restarts").isTrue();
            assertThat(after.get("labels").get("rack-group").asString()).isEqualTo("a");
            JsonNode audit = noah.sendTo(second.port(), "GET", "/api/v1/audit?target=/api/v1/clusters/" + name, ADMIN_TOKEN, null).body();
            assertThat(audit.toString()).contains("kernel upgrade " + id);
            var off = noah.sendTo(second.port(), "PATCH", "/api/v1/clusters/" + name, ADMIN_TOKEN, Map.of("maintenance", false));
            assertThat(off.body().get("maintenance").asBoolean()).isFalse();
        } finally {
            second.close();
        }
    }
}
