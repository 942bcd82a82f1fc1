package io.noah.hpa.metrics;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Templates are parsed and allow-listed; the values put in are checked, so a caller cannot change a query's shape. */
class PromQlTemplateTest {

    private static final String CPU = "sum by (pod) (rate(container_cpu_usage_seconds_total{cluster=\"$cluster\",namespace=\"$namespace\","
            + "pod=~\"$pods\",container!=\"\"}[$window]))";

    @Test
    void aTemplateRendersWithEveryPlaceholder() {
        String q = new PromQlTemplate(CPU).render("idc-a", "shop", List.of("web-7f9c-abcde", "web-7f9c-fghij"), Duration.ofMinutes(1));
        assertThat(q).isEqualTo("sum by (pod) (rate(container_cpu_usage_seconds_total{cluster=\"idc-a\",namespace=\"shop\","
                + "pod=~\"web-7f9c-abcde|web-7f9c-fghij\",container!=\"\"}[60s]))");
        // a dot in a pod name (StatefulSets of dotted names) is a literal dot in the regular expression
        assertThat(new PromQlTemplate("up{pod=~\"$pods\"}").render("c", "n", List.of("a.b"), Duration.ofSeconds(30)))
                .isEqualTo("up{pod=~\"a\\\\.b\"}");
    }

    @Test
    void templatesThatCouldEscapeThePolicysPodsAreRefused() {
        for (String[] bad : new String[][]{
                {"", "empty"},
                {"sum(rate(container_cpu_usage_seconds_total[1m]))", "must select the policy's pods with $pods"},
                {"up{pod=~\"$pods\"} $secret", "unknown placeholder $secret"},
                {"sum(up{pod=~\"$pods\"}", "an unclosed '('"},
                {"up{pod=~\"$pods\"}]", "unbalanced ']'"},
                {"up{pod=~\"$pods}", "an unclosed \""},
                {"up{pod=~\"$pods\"} # drop", "comments are not allowed"},
                {"up{pod=~\"$pods\"}\u0000", "a character PromQL does not use"},
                {"up{pod=~\"$pods\"} or " + "x".repeat(2000), "longer than 2000"}}) {
            assertThatThrownBy(() -> new PromQlTemplate(bad[0])).as(bad[0]).isInstanceOf(PromQlTemplate.Invalid.class)
                    .hasMessageContaining(bad[1]);
        }
        // brackets inside strings do not count; escaped quotes do not end them
        assertThat(new PromQlTemplate("up{pod=~\"$pods\",x=\"a)\\\"]\"}").text()).isNotEmpty();
    }

    @Test
    void valuesThatWouldChangeTheQueryAreRefused() {
        PromQlTemplate t = new PromQlTemplate(CPU);
        assertThatThrownBy(() -> t.render("idc-a\"} or up{a=\"", "shop", List.of("p"), Duration.ofMinutes(1))).hasMessageContaining("cluster");
        assertThatThrownBy(() -> t.render("idc-a", "Shop", List.of("p"), Duration.ofMinutes(1))).hasMessageContaining("namespace");
        assertThatThrownBy(() -> t.render("idc-a", "shop", List.of("p|.*"), Duration.ofMinutes(1))).hasMessageContaining("pod");
        assertThatThrownBy(() -> t.render("idc-a", "shop", List.of(), Duration.ofMinutes(1))).hasMessageContaining("no pods");
        assertThatThrownBy(() -> t.render("idc-a", "shop", List.of("p"), Duration.ofMillis(1500))).hasMessageContaining("window");
        assertThatThrownBy(() -> t.render("idc-a", "shop", List.of("p"), Duration.ZERO)).hasMessageContaining("window");
    }

    @Test
    void theDefaultQueriesAreValidTemplates() {
        DefaultQueries.BY_STRATEGY.forEach((name, t) -> assertThat(t.render("idc-a", "shop", List.of("web-1"), Duration.ofMinutes(1)))
                .as(name).contains("namespace=\"shop\"", "pod=~\"web-1\"").doesNotContain("$"));
    }
}
