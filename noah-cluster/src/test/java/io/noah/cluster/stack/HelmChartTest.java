package io.noah.cluster.stack;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Helm chart (deploy/helm/noah) with the helm built from the Go module proxy: lint and template over the values
 * files users start from, a bad values file stopped by the schema, the rendered objects accepted by a real API server
 * (server-side dry run), and a real install into a local cluster whose objects are as rendered.
 */
@Tag("stack") // needs the local stack and the cached helm: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class HelmChartTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path CHART = ROOT.resolve("deploy/helm/noah");
    private static final String[] VALUES = {null, "ci/ha-values.yaml", "ci/ingress-values.yaml", "ci/servicemonitor-values.yaml"};
    private static final String SERVICE_MONITOR_API = "monitoring.coreos.com/v1/ServiceMonitor";

    private record Run(int exit, String out) {
    }

    private static Run run(List<String> cmd, String stdin) {
        try {
            Path home = ROOT.resolve("noah-cluster/target/helm-home");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            // helm's caches and settings in the build directory, never the user's
            pb.environment().putAll(Map.of("HELM_CACHE_HOME", home.resolve("cache").toString(),
                    "HELM_CONFIG_HOME", home.resolve("config").toString(), "HELM_DATA_HOME", home.resolve("data").toString()));
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("%s finished", cmd).isTrue();
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String helm() {
        Run r = run(List.of("bash", ROOT.resolve("deploy/local/build-helm.sh").toString(), "--cached-only"), null);
        assertThat(r.exit()).as("helm is built (deploy/local/build-helm.sh; the test command builds it): %s", r.out()).isZero();
        String[] lines = r.out().strip().split("\n");
        return Path.of(lines[lines.length - 1].strip(), "helm").toString();
    }

    private static List<String> withValues(List<String> cmd, String values, String... more) {
        List<String> all = new ArrayList<>(cmd);
        if (values != null) {
            all.addAll(List.of("-f", CHART.resolve(values).toString()));
        }
        all.addAll(Arrays.asList(more));
        return all;
    }

    private static List<HasMetadata> render(KubernetesClient k, String helm, String values, String... more) {
        Run r = run(withValues(List.of(helm, "template", "noah", CHART.toString(), "--namespace", "noah"), values, more), null);
        assertThat(r.exit()).as("helm template with %s: %s", values, r.out()).isZero();
        return k.load(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8))).items();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("one %s", type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
    }

    @Test
    void lintAndTemplatePassOverEveryValuesFileAndTheObjectsAreWhatTheyShouldBe(LocalStack stack) {
        String helm = helm();
        KubernetesClient k = stack.client(stack.clusters().getFirst());
        for (String values : VALUES) {
            Run lint = run(withValues(List.of(helm, "lint", "--strict", CHART.toString()), values), null);
            assertThat(lint.exit()).as("helm lint --strict with %s: %s", values, lint.out()).isZero();
            assertThat(lint.out()).contains("1 chart(s) linted, 0 chart(s) failed");
        }
        // defaults: two replicas that roll one at a time, a PDB, probes on the actuator, locked down; nothing cluster-wide
        List<HasMetadata> defaults = render(k, helm, null);
        assertThat(defaults).extracting(HasMetadata::getKind)
                .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
        Deployment d = one(defaults, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey())
                .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        Container c = pod.getContainers().getFirst();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp");
        // secrets referenced, never inlined: the password and the key come from Secrets
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("NOAH_DB_PASSWORD"))
                .singleElement().satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("noah-database"));
        assertThat(env(c)).containsEntry("NOAH_ENCRYPTION_KEY_FILE", "/var/run/secrets/noah/encryption/encryption-key")
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75").doesNotContainKey("NOAH_BOOTSTRAP_TOKEN");
        assertThat(one(defaults, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        // one replica: no PDB (it would block every drain)
        assertThat(render(k, helm, null, "--set", "replicaCount=1")).extracting(HasMetadata::getKind).doesNotContain("PodDisruptionBudget");

        // HA: three replicas strictly spread, ZGC, Kafka and the metric store in the configuration
        List<HasMetadata> ha = render(k, helm, "ci/ha-values.yaml");
        Deployment haD = one(ha, Deployment.class);
        assertThat(haD.getSpec().getReplicas()).isEqualTo(3);
        assertThat(haD.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .allSatisfy(t -> assertThat(t.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule"));
        assertThat(env(haD.getSpec().getTemplate().getSpec().getContainers().getFirst()))
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=70 -XX:+UseZGC");
        String config = ha.stream().filter(o -> o.getKind().equals("ConfigMap")).findFirst().map(o ->
                ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData().get("application.yaml")).orElseThrow();
        assertThat(config).contains("bootstrap-servers: kafka-0.kafka:9092").contains("metrics-url: http://vmsingle.monitoring:8428")
                .contains("- app");

        // ingress: long-lived SSE and websocket connections unbuffered, TLS
        Ingress ingress = one(render(k, helm, "ci/ingress-values.yaml"), Ingress.class);
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(t -> assertThat(t.getSecretName()).isEqualTo("noah-tls"));

        // ServiceMonitor only where its CRD exists
        assertThat(render(k, helm, "ci/servicemonitor-values.yaml")).extracting(HasMetadata::getKind).doesNotContain("ServiceMonitor");
        List<HasMetadata> withCrd = render(k, helm, "ci/servicemonitor-values.yaml", "--api-versions", SERVICE_MONITOR_API);
        assertThat(withCrd).filteredOn(o -> o.getKind().equals("ServiceMonitor")).singleElement()
                .satisfies(sm -> assertThat(sm.getMetadata().getLabels()).containsEntry("release", "prometheus"));
    }

    @Test
    void aBadValuesFileFailsOnTheSchema() {
        String helm = helm();
        for (List<String> cmd : List.of(List.of(helm, "lint", "--strict", CHART.toString()), List.of(helm, "template", "noah", CHART.toString()))) {
            Run r = run(withValues(cmd, "../tests/bad-values.yaml"), null);
            assertThat(r.exit()).as(r.out()).isNotZero();
            assertThat(r.out()).contains("values don't meet the specifications of the schema")
                    .contains("replicas").contains("password").contains("replicaCount").contains("jdbc:postgresql");
        }
    }

    @Test
    void theRenderedObjectsAreAcceptedByARealApiServerAndAnInstallGivesThemAsRendered(LocalStack stack) {
        String helm = helm();
        String cluster = stack.clusters().getFirst();
        KubernetesClient k = stack.client(cluster);
        String ns = LocalStack.createNamespace(k, "noah-chart-" + Long.toString(System.nanoTime() & 0xffffff, 36));
        String kubeconfig = stack.kubeconfig(cluster).toString();
        try {
            for (String values : new String[]{null, "ci/ha-values.yaml", "ci/ingress-values.yaml"}) {
                Run rendered = run(withValues(List.of(helm, "template", "noah", CHART.toString(), "--namespace", ns), values), null);
                assertThat(rendered.exit()).as(rendered.out()).isZero();
                Run dry = run(List.of(stack.kubectl().toString(), "--kubeconfig", kubeconfig, "apply", "--dry-run=server", "-n", ns, "-f", "-"),
                        rendered.out());
                assertThat(dry.exit()).as("kubectl apply --dry-run=server with %s: %s", values, dry.out()).isZero();
                assertThat(dry.out()).contains("deployment.apps/noah created (server dry run)");
            }
            // the Secrets the chart references, as an operator creates them
            k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("noah-database").endMetadata()
                    .withStringData(Map.of("password", "not-used-here")).build()).create();
            k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("noah-secrets").endMetadata()
                    .withStringData(Map.of("encryption-key", "bm9haC10ZXN0LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmc=", "bootstrap-token", "t")).build()).create();
            List<HasMetadata> expected = render(k, helm, "ci/ha-values.yaml", "--set", "topologySpread.whenUnsatisfiable=ScheduleAnyway");
            Run install = run(List.of(helm, "install", "noah", CHART.toString(), "--kubeconfig", kubeconfig, "--namespace", ns,
                    "-f", CHART.resolve("ci/ha-values.yaml").toString(), "--set", "topologySpread.whenUnsatisfiable=ScheduleAnyway",
                    "--wait", "--timeout", "120s"), null);
            assertThat(install.exit()).as("helm install: %s", install.out()).isZero();
            assertThat(install.out()).contains("STATUS: deployed");

            Deployment live = k.apps().deployments().inNamespace(ns).withName("noah").get();
            Deployment want = one(expected, Deployment.class);
            Container liveC = live.getSpec().getTemplate().getSpec().getContainers().getFirst();
            Container wantC = want.getSpec().getTemplate().getSpec().getContainers().getFirst();
            // as rendered; the API server fills what the chart leaves to its defaults (scheme, successThreshold)
            assertThat(liveC.getReadinessProbe()).usingRecursiveComparison().ignoringExpectedNullFields().isEqualTo(wantC.getReadinessProbe());
            assertThat(liveC.getLivenessProbe()).usingRecursiveComparison().ignoringExpectedNullFields().isEqualTo(wantC.getLivenessProbe());
            assertThat(liveC.getStartupProbe()).usingRecursiveComparison().ignoringExpectedNullFields().isEqualTo(wantC.getStartupProbe());
            assertThat(liveC.getSecurityContext()).usingRecursiveComparison().ignoringExpectedNullFields().isEqualTo(wantC.getSecurityContext());
            assertThat(live.getStatus().getReadyReplicas()).isEqualTo(3);
            PodDisruptionBudget pdb = k.policy().v1().podDisruptionBudget().inNamespace(ns).withName("noah").get();
            assertThat(pdb.getSpec()).usingRecursiveComparison().ignoringExpectedNullFields().isEqualTo(one(expected, PodDisruptionBudget.class).getSpec());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                var s = k.policy().v1().podDisruptionBudget().inNamespace(ns).withName("noah").get().getStatus();
                return s != null && s.getExpectedPods() == 3 && s.getDisruptionsAllowed() == 1;
            });
            assertThat(k.services().inNamespace(ns).withName("noah").get()).isNotNull();
            assertThat(k.configMaps().inNamespace(ns).withName("noah").get().getData().get("application.yaml")).contains("bootstrap-servers");
            // nothing cluster-wide and no Role: Noah does not call the cluster it runs in
            assertThat(k.rbac().roles().inNamespace(ns).list().getItems()).isEmpty();
            assertThat(k.rbac().clusterRoles().withLabel("app.kubernetes.io/instance", "noah").list().getItems()).isEmpty();

            Run uninstall = run(List.of(helm, "uninstall", "noah", "--kubeconfig", kubeconfig, "--namespace", ns, "--wait"), null);
            assertThat(uninstall.exit()).as(uninstall.out()).isZero();
            assertThat(k.apps().deployments().inNamespace(ns).withName("noah").get()).isNull();
        } finally {
            k.namespaces().withName(ns).delete();
        }
    }
}
