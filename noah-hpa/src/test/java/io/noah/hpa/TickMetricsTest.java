package io.noah.hpa;

import io.noah.hpa.metrics.PromQlTemplate;
import io.noah.hpa.metrics.PrometheusClient;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Many policies' metric needs in a few chunked queries, each policy reading back only its pods. */
class TickMetricsTest {

    private static final PromQlTemplate Q = new PromQlTemplate("sum by (pod) (x{namespace=\"$namespace\",pod=~\"$pods\"})");
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void onePoolAndNamespaceIsAskedInChunksAndEachPolicyGetsItsPods() {
        List<Integer> asked = new ArrayList<>();
        MetricSource real = (q, pool, ns, pods, at) -> {
            synchronized (asked) {
                asked.add(pods.size());
            }
            Map<String, Double> m = new HashMap<>();
            pods.forEach(p -> m.put(p, (double) Integer.parseInt(p.substring(p.lastIndexOf('-') + 1))));
            if (pods.contains("app-7-3")) {
                throw new PrometheusClient.SourceException("the store refused the chunk", null);
            }
            return m;
        };
        TickMetrics t = new TickMetrics(real);
        for (int app = 0; app < 100; app++) {
            int a = app;
            t.want(Q, "p", "ns", IntStream.range(0, 10).mapToObj(i -> "app-" + a + "-" + i).toList());
        }
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            t.fetch(NOW, exec, new Semaphore(4));
        }
        assertThat(asked).hasSize(4).containsOnly(TickMetrics.CHUNK, 100); // 1,000 pods: 300, 300, 300, 100
        assertThat(t.values(Q, "p", "ns", List.of("app-42-1", "app-42-9"), NOW)).containsOnly(Map.entry("app-42-1", 1.0),
                Map.entry("app-42-9", 9.0));
        // the chunk holding app-7's pods failed: app-7 gets its error, a policy in another chunk does not
        assertThatThrownBy(() -> t.values(Q, "p", "ns", List.of("app-7-0"), NOW)).hasMessageContaining("refused the chunk");
        assertThat(t.values(Q, "p", "ns", List.of("app-99-2"), NOW)).containsEntry("app-99-2", 2.0);
        // a pod that appeared after planning is asked for on its own
        assertThat(t.values(Q, "p", "ns", List.of("app-99-2", "app-99-10"), NOW)).containsKeys("app-99-2", "app-99-10");
        assertThat(asked).hasSize(5);
    }

    @Test
    void mostOfANamespacesPodsAreAskedInOneNamespaceWideQuery() {
        List<String> asked = new ArrayList<>();
        MetricSource real = new MetricSource() {
            @Override
            public Map<String, Double> values(PromQlTemplate q, String pool, String ns, List<String> pods, java.time.Instant at) {
                asked.add("pods:" + pods.size());
                return Map.of();
            }

            @Override
            public Map<String, Double> namespaceValues(PromQlTemplate q, String pool, String ns, java.time.Instant at) {
                asked.add("namespace:" + ns);
                Map<String, Double> m = new HashMap<>();
                IntStream.range(0, 1200).forEach(i -> m.put("app-" + i / 10 + "-" + i % 10, 1.0)); // and pods nobody asked for
                return m;
            }
        };
        // 1,000 of the namespace's 1,200 pods: one query; 1,000 of 5,000: chunks
        TickMetrics t = new TickMetrics(real, (pool, ns) -> ns.equals("big") ? 5000 : 1200);
        for (int app = 0; app < 100; app++) {
            int a = app;
            t.want(Q, "p", "ns", IntStream.range(0, 10).mapToObj(i -> "app-" + a + "-" + i).toList());
            t.want(Q, "p", "big", IntStream.range(0, 10).mapToObj(i -> "app-" + a + "-" + i).toList());
        }
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            t.fetch(NOW, exec, new Semaphore(4));
        }
        assertThat(asked).containsExactlyInAnyOrder("namespace:ns", "pods:300", "pods:300", "pods:300", "pods:100");
        assertThat(t.values(Q, "p", "ns", List.of("app-42-1"), NOW)).containsOnly(Map.entry("app-42-1", 1.0));
    }
}
