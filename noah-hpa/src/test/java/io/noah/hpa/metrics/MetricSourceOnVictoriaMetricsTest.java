package io.noah.hpa.metrics;

import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The metric source against the stack's real VictoriaMetrics: cAdvisor-like counters written with timestamps
 * through its import API, read back by the default CPU query for the policy's pods only.
 */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class MetricSourceOnVictoriaMetricsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    /** Prometheus text format with millisecond timestamps, as VictoriaMetrics' /api/v1/import/prometheus takes it. */
    private void write(String base, String lines) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/import/prometheus"))
                .POST(HttpRequest.BodyPublishers.ofString(lines)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        http.send(HttpRequest.newBuilder(URI.create(base + "/internal/force_flush")).GET().build(), HttpResponse.BodyHandlers.discarding());
    }

    @Test
    void theDefaultCpuQueryReadsCoresPerPodOfThePolicysPodsOnly(LocalStack stack) throws Exception {
        String base = stack.metricsUrl();
        String ns = "hpa-" + UUID.randomUUID().toString().substring(0, 6);
        Instant now = Instant.now().minusSeconds(5);
        StringBuilder lines = new StringBuilder();
        // two minutes of a counter per pod: web-1 uses 0.5 core, web-2 0.25, other-1 (not the policy's) 2 cores
        for (int s = 0; s <= 120; s += 15) {
            long ts = now.minusSeconds(120 - s).toEpochMilli();
            for (var e : Map.of("web-1", 0.5, "web-2", 0.25, "other-1", 2.0).entrySet()) {
                lines.append("container_cpu_usage_seconds_total{cluster=\"idc-a\",namespace=\"").append(ns).append("\",pod=\"")
                        .append(e.getKey()).append("\",container=\"main\"} ").append(e.getValue() * s).append(' ').append(ts).append('\n');
            }
        }
        write(base, lines.toString());
        PrometheusClient source = new PrometheusClient(URI.create(base), Duration.ofSeconds(5));
        String q = DefaultQueries.CPU.render("idc-a", ns, List.of("web-1", "web-2"), Duration.ofMinutes(1));
        Map<String, Double> cores = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> source.query(q, now), m -> m.size() == 2);
        assertThat(cores).containsOnlyKeys("web-1", "web-2");
        assertThat(cores.get("web-1")).isCloseTo(0.5, within(0.01));
        assertThat(cores.get("web-2")).isCloseTo(0.25, within(0.01));
        // the namespace-wide form (a tick wanting most of a namespace's pods): every pod of the namespace, the same values
        Map<String, Double> all = io.noah.hpa.MetricSource.of(source, Duration.ofMinutes(1)).namespaceValues(DefaultQueries.CPU, "idc-a", ns, now);
        assertThat(all).containsOnlyKeys("web-1", "web-2", "other-1");
        assertThat(all.get("web-1")).isCloseTo(cores.get("web-1"), within(0.001));
        assertThat(all.get("other-1")).isCloseTo(2.0, within(0.01));
        // a query the store refuses is the source's error with its reason, never an empty answer
        assertThatThrownBy(() -> source.query("sum(rate(x[1m])", now)).isInstanceOf(PrometheusClient.SourceException.class)
                .hasMessageContaining("refused the query");
    }
}
