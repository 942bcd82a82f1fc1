package io.noah.cluster.stack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.noah.cluster.testing.Workloads.deployment;
import static io.noah.cluster.testing.Workloads.readyPods;
import static io.noah.cluster.testing.Workloads.uniqueNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** pods/exec through the real kube-apiserver, served by KWOK's ClusterExec (a local process). */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecThroughApiServerTest {

    private KubernetesClient client;
    private String ns;
    private String pod;

    @BeforeAll
    void createPod(LocalStack stack) {
        client = stack.client(stack.clusters().getFirst());
        ns = uniqueNamespace(client, "exec");
        client.apps().deployments().inNamespace(ns).resource(deployment("shell", 1, Map.of())).create();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> readyPods(client, ns, "shell").size() == 1);
        pod = readyPods(client, ns, "shell").getFirst().getMetadata().getName();
    }

    @AfterAll
    void deleteNamespace() {
        client.namespaces().withName(ns).delete();
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private Result exec(String... command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(ns).withName(pod)
                .writingOutput(out).writingError(err).exec(command)) {
            int code = watch.exitCode().get(30, TimeUnit.SECONDS);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void successfulCommandReturnsItsOutputAndExitCodeZero() throws Exception {
        Result r = exec("sh", "-c", "echo hello from $((40 + 2))");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("hello from 42\n");
    }

    @Test
    void failingCommandReturnsItsNonZeroExitCodeAndStderr() throws Exception {
        Result r = exec("sh", "-c", "echo oops >&2; exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).isEqualTo("oops\n");
    }
}
