package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.noah.cluster.model.NoahException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure rules of the lifecycle helpers: budgets as the disruption controller computes them, selectors, pod changes. */
class LifecycleRulesTest {

    @Test
    void percentagesOfMaxUnavailableRoundUpAsTheDisruptionControllerDoes() {
        String half = MaintenancePdbs.budget("50%");
        assertThat(MaintenancePdbs.budget(" 3 ")).isEqualTo("3");
        assertThat(MaintenancePdbs.maxUnavailable(half, 3)).isEqualTo(2);
        assertThat(MaintenancePdbs.maxUnavailable(half, 4)).isEqualTo(2);
        assertThat(MaintenancePdbs.maxUnavailable(half, 1)).isEqualTo(1);
        assertThat(MaintenancePdbs.maxUnavailable(half, 0)).isZero();
        assertThat(MaintenancePdbs.maxUnavailable(MaintenancePdbs.budget("10%"), 25)).isEqualTo(3);
        assertThat(MaintenancePdbs.maxUnavailable(MaintenancePdbs.budget("2"), 1)).isEqualTo(1);
        assertThat(MaintenancePdbs.maxUnavailable(MaintenancePdbs.budget(" 3 "), 10)).isEqualTo(3);
    }

    @Test
    void budgetsThatWouldBlockEveryDrainOrAreNotNumbersAreRefused() {
        for (String bad : List.of("0", "0%", "101%", "-1", "50 %", "half", "", "1.5")) {
            assertThatThrownBy(() -> MaintenancePdbs.budget(bad)).as(bad).isInstanceOf(NoahException.class)
                    .extracting(e -> ((NoahException) e).field()).isEqualTo("maxUnavailable");
        }
        assertThatThrownBy(() -> MaintenancePdbs.budget(null)).isInstanceOf(NoahException.class);
    }

    @Test
    void maintenanceIdsAreLabelValuesOfAtMostFortyCharacters() {
        MaintenancePdbs.validateId("kernel-2026-12");
        MaintenancePdbs.validateId("a");
        for (String bad : List.of("", "-a", "a-", "Kernel", "a_b", "a".repeat(41))) {
            assertThatThrownBy(() -> MaintenancePdbs.validateId(bad)).as(bad).isInstanceOf(NoahException.class);
        }
        assertThat(MaintenancePdbs.pdbName("web", "k1")).isEqualTo("web-maint-k1");
    }

    @Test
    void selectorsFollowKubernetesRules() {
        var s = new LabelSelectorBuilder().addToMatchLabels("app", "web")
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("a", "b").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression()
                .addNewMatchExpression().withKey("zone").withOperator("NotIn").withValues("z9").endMatchExpression()
                .addNewMatchExpression().withKey("team").withOperator("Exists").endMatchExpression()
                .build();
        assertThat(Selectors.matches(s, Map.of("app", "web", "tier", "a", "team", "x"))).isTrue();
        assertThat(Selectors.matches(s, Map.of("app", "web", "tier", "c", "team", "x"))).isFalse();
        assertThat(Selectors.matches(s, Map.of("app", "web", "tier", "a", "team", "x", "canary", "1"))).isFalse();
        assertThat(Selectors.matches(s, Map.of("app", "web", "tier", "a", "team", "x", "zone", "z9"))).isFalse();
        assertThat(Selectors.matches(s, Map.of("app", "web", "tier", "a"))).isFalse();
        assertThat(Selectors.matches(s, Map.of("app", "api", "tier", "a", "team", "x"))).isFalse();
        assertThat(Selectors.matches(new LabelSelectorBuilder().build(), Map.of())).as("empty selects everything").isTrue();
        assertThat(Selectors.matches(null, Map.of("app", "web"))).as("null selects nothing").isFalse();
        assertThat(Selectors.matches(new LabelSelectorBuilder().addNewMatchExpression().withKey("a").withOperator("Bogus").endMatchExpression()
                .build(), Map.of("a", "1"))).isFalse();
    }

    private static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("main").withImage("web:1").endContainer()
                .addNewContainer().withName("sidecar").withImage("proxy:1").endContainer()
                .addToTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withTopologyKey("zone").withMaxSkew(2).build())
                .addToTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withTopologyKey("rack").withMaxSkew(5).build())
                .endSpec().build();
    }

    private static final PodChange.Probes TOMCAT = new PodChange.Probes(
            new PodChange.Probe("http", "/health", 8080, null, null, 5, null, null),
            new PodChange.Probe("tcp", null, 8080, null, 60, 10, 2, 3),
            new PodChange.Probe("exec", null, null, List.of("cat", "/tmp/started"), null, 5, null, 60));

    @Test
    void aPodChangeReplacesTheRackConstraintAddsTheGateAndSetsTheProbesOnTheReleasedContainers() {
        PodTemplateSpec t = template();
        new PodChange("rack", "required", "app", "web", true, "tomcat", TOMCAT).applyTo(t, Set.of("main"));
        var spread = t.getSpec().getTopologySpreadConstraints();
        assertThat(spread).hasSize(2);
        assertThat(spread.get(0).getTopologyKey()).isEqualTo("zone");
        var rack = spread.get(1);
        assertThat(rack.getTopologyKey()).isEqualTo("rack");
        assertThat(rack.getMaxSkew()).isEqualTo(1);
        assertThat(rack.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
        assertThat(rack.getNodeTaintsPolicy()).isEqualTo("Honor");
        assertThat(rack.getMatchLabelKeys()).containsExactly("pod-template-hash");
        assertThat(rack.getLabelSelector().getMatchLabels()).containsExactly(Map.entry("app", "web"));
        assertThat(t.getSpec().getReadinessGates()).singleElement().satisfies(g -> assertThat(g.getConditionType()).isEqualTo(PodTraffic.GATE));
        var main = t.getSpec().getContainers().get(0);
        assertThat(main.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(main.getLivenessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(8080);
        assertThat(main.getLivenessProbe().getInitialDelaySeconds()).isEqualTo(60);
        assertThat(main.getStartupProbe().getExec().getCommand()).containsExactly("cat", "/tmp/started");
        assertThat(t.getSpec().getContainers().get(1).getReadinessProbe()).as("not a released container").isNull();
        assertThat(t.getMetadata().getAnnotations()).containsEntry(PodChange.APP_TYPE, "tomcat");

        // applied again (the next release): still one rack constraint, one gate
        new PodChange("rack", "preferred", "app", "web", true, null, null).applyTo(t, Set.of());
        assertThat(t.getSpec().getTopologySpreadConstraints()).hasSize(2);
        assertThat(t.getSpec().getTopologySpreadConstraints().get(1).getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
        assertThat(t.getSpec().getReadinessGates()).hasSize(1);
        assertThat(main.getReadinessProbe()).as("no app type: probes unchanged").isNotNull();

        new PodChange("rack", "none", "app", "web", false, null, null).applyTo(t, Set.of());
        assertThat(t.getSpec().getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey()).containsExactly("zone");
        assertThat(t.getSpec().getReadinessGates()).isEmpty();
    }

    @Test
    void nullFieldsChangeNothingAndAnAppTypeWithoutReleasedContainersCoversThemAll() {
        PodTemplateSpec t = template();
        new PodChange("rack", null, "app", "web", null, null, null).applyTo(t, Set.of());
        assertThat(t).isEqualTo(template());
        new PodChange("rack", null, "app", "web", null, "rpc", new PodChange.Probes(null, TOMCAT.liveness(), null)).applyTo(t, Set.of());
        assertThat(t.getSpec().getContainers()).allSatisfy(c -> {
            assertThat(c.getLivenessProbe()).isNotNull();
            assertThat(c.getReadinessProbe()).isNull();
        });
    }

    @Test
    void probeTemplatesAreCheckedBeforeUse() {
        assertThat(TOMCAT.readiness().problem()).isNull();
        assertThat(TOMCAT.liveness().problem()).isNull();
        assertThat(TOMCAT.startup().problem()).isNull();
        assertThat(new PodChange.Probe(null, null, null, null, null, null, null, null).problem()).contains("type is required");
        assertThat(new PodChange.Probe("http", "health", 80, null, null, null, null, null).problem()).contains("path");
        assertThat(new PodChange.Probe("http", "/health", 0, null, null, null, null, null).problem()).contains("port");
        assertThat(new PodChange.Probe("tcp", null, 70_000, null, null, null, null, null).problem()).contains("port");
        assertThat(new PodChange.Probe("exec", null, null, List.of(), null, null, null, null).problem()).contains("command");
        assertThat(new PodChange.Probe("grpc", null, 1, null, null, null, null, null).problem()).contains("not one of");
    }

    @Test
    void aNodesLabelDiffIsTheApiServersAnswerAgainstTheNodeBefore() {
        var r = NodeLabelSync.diff("c", "n", Map.of("rack", "r1", "type", "big", "kept", "x"), Map.of("rack", "r2", "zone", "z1", "kept", "x"));
        assertThat(r.added()).containsExactly(Map.entry("zone", "z1"));
        assertThat(r.changed()).containsExactly(Map.entry("rack", "r2"));
        assertThat(r.removed()).containsExactly("type");
        assertThat(r.changedAnything()).isTrue();
        assertThat(NodeLabelSync.diff("c", "n", null, null).changedAnything()).isFalse();
    }
}
