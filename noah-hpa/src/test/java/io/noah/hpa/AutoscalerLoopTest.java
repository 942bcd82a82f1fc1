package io.noah.hpa;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When a steady decision may keep its stored detail (its inputs rewritten once a minute) and when it must not. */
class AutoscalerLoopTest {

    private static DecisionRecord.Detail detail(String deployment, List<DecisionRecord.Pod> pods, int counted, double value) {
        return new DecisionRecord.Detail(deployment, 4, "cpu at " + value + " × target", null, false, false, null, null, null,
                List.of(new Calculator.StrategyResult("cpu", value, 4, counted, 0, 0, null)), pods, Map.of());
    }

    private static DecisionRecord.Pod pod(String name, boolean ready, double cpu) {
        return new DecisionRecord.Pod(name, ready, 0.5, 1e8, Map.of("cpu", cpu));
    }

    @Test
    void valuesThatDriftKeepTheShapeButAnotherDeploymentPodOrReadinessDoesNot() {
        var before = detail("web", List.of(pod("web-1", true, 0.25), pod("web-2", true, 0.26)), 2, 1.01);
        assertThat(AutoscalerLoop.sameShape(before, detail("web", List.of(pod("web-1", true, 0.27), pod("web-2", true, 0.24)), 2, 1.02)))
                .as("only the values moved").isTrue();
        assertThat(AutoscalerLoop.sameShape(before, detail("web,web-v2", List.of(pod("web-1", true, 0.25), pod("web-2", true, 0.26)), 2, 1.01)))
                .as("a release's canary joined").isFalse();
        assertThat(AutoscalerLoop.sameShape(before, detail("web", List.of(pod("web-1", true, 0.25), pod("web-3", true, 0.26)), 2, 1.01)))
                .as("a pod replaced").isFalse();
        assertThat(AutoscalerLoop.sameShape(before, detail("web", List.of(pod("web-1", true, 0.25), pod("web-2", false, 0.26)), 2, 1.01)))
                .as("a pod no longer ready").isFalse();
        assertThat(AutoscalerLoop.sameShape(before, detail("web", List.of(pod("web-1", true, 0.25), pod("web-2", true, 0.26)), 1, 1.01)))
                .as("a strategy counting fewer pods").isFalse();
    }
}
