package io.noah.api;

import io.noah.cluster.testing.LocalStack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served OpenAPI describes the API exactly: schemathesis (installed from PyPI by the test command) drives
 * every operation with generated valid and invalid data and checks that Noah never answers 5xx, answers only
 * documented status codes and content types, that every body matches its schema, and that invalid data is
 * refused. It runs against a Noah of its own (own database, no Kafka) whose clusters are declared with a read-only
 * service account: schemathesis also reuses values from responses (cluster, namespace and Deployment names), and its
 * generated writes must not scale or create anything in the clusters the other tests use (Kubernetes refuses them:
 * 422 kubernetes-rejected, a documented answer).
 */
class ApiContractE2ETest {

    static final List<String> CHECKS = List.of("not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_schema_conformance", "negative_data_rejection");

    @Test
    void schemathesisFindsNoFailureInAnyOperation() throws Exception {
        LocalStack stack = LocalStack.get();
        Path schemathesis = schemathesis();
        String id = UUID.randomUUID().toString().substring(0, 6);
        String db = "noah_contract_" + id;
        Map<String, String> props = new LinkedHashMap<>();
        props.put("spring.datasource.url", stack.freshDatabase(db));
        for (int i = 0; i < stack.clusters().size(); i++) {
            String c = stack.clusters().get(i);
            props.put("noah.clusters[" + i + "].name", c);
            props.put("noah.clusters[" + i + "].idc", stack.idc(c));
            props.put("noah.clusters[" + i + "].server", stack.server(c));
            props.put("noah.clusters[" + i + "].token-file", stack.readerTokenFile(c).toString());
            props.put("noah.clusters[" + i + "].ca-file", stack.caFile(c).toString());
        }
        try (NoahProcess noah = NoahProcess.start(stack, "contract-" + id, "15s", props)) {
            var paths = NoahServer.get().sendTo(noah.port(), "GET", "/v3/api-docs", NoahServer.ADMIN_TOKEN, null).body().get("paths");
            int operations = paths.properties().stream().mapToInt(e -> e.getValue().size()).sum();
            // token revocation runs alone and last: it would revoke the token the run itself uses (the tokens' ids are listed)
            int tested = run(schemathesis, noah, "all-but-revoke-" + id, "--exclude-operation-id", "revokeToken");
            tested += run(schemathesis, noah, "revoke-" + id, "--include-operation-id", "revokeToken");
            assertThat(tested).as("every operation tested").isEqualTo(operations);
        } finally {
            try (Connection c = DriverManager.getConnection(stack.jdbcAdminUrl(), stack.jdbcUser(), stack.jdbcPassword())) {
                c.createStatement().execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    /** One schemathesis run; returns how many operations it tested. Fails on any failure it reports. */
    private static int run(Path schemathesis, NoahProcess noah, String name, String... filter) throws Exception {
        Path log = Path.of("target", "schemathesis-" + name + ".log");
        List<String> cmd = new ArrayList<>(List.of(schemathesis.toString(), "run", noah.url("/v3/api-docs"),
                "--header", "Authorization: Bearer " + NoahServer.ADMIN_TOKEN,
                "--checks", String.join(",", CHECKS),
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", System.getProperty("noah.schemathesis.max-examples", "40"),
                "--seed", "20261130", "--workers", "2", "--request-timeout", "30", "--no-color"));
        cmd.addAll(List.of(filter));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean done = p.waitFor(15, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String output = Files.readString(log);
        String summary = output.contains("SUMMARY") ? output.substring(output.indexOf("SUMMARY")) : output;
        System.out.println("[schemathesis " + name + "]\n" + summary);
        assertThat(done).as("schemathesis finished in time; see " + log.toAbsolutePath()).isTrue();
        assertThat(p.exitValue()).as("schemathesis found failures (%s):%n%s", log.toAbsolutePath(), output).isZero();
        var tested = java.util.regex.Pattern.compile("Tested: (\\d+)").matcher(output);
        assertThat(tested.find()).as("a summary in " + log.toAbsolutePath()).isTrue();
        return Integer.parseInt(tested.group(1));
    }

    /** Installed by the test command (deploy/local/test.sh) from PyPI into the cache; never skipped when missing. */
    private static Path schemathesis() {
        String configured = System.getenv("NOAH_SCHEMATHESIS");
        Path p = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "noah", "schemathesis", "bin", "schemathesis");
        assertThat(p).as("schemathesis is installed by deploy/local/test.sh").isExecutable();
        return p;
    }
}
