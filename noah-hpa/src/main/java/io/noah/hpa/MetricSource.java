package io.noah.hpa;

import io.noah.hpa.metrics.PromQlTemplate;
import io.noah.hpa.metrics.PrometheusClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Per-pod values of a strategy's query, from the metric store; a failure is a {@link PrometheusClient.SourceException}. */
public interface MetricSource {

    Map<String, Double> values(PromQlTemplate query, String pool, String namespace, List<String> pods, Instant at);

    /** The values of every pod of the namespace ({@link PromQlTemplate#renderNamespace}); null: not supported, ask per pod. */
    default Map<String, Double> namespaceValues(PromQlTemplate query, String pool, String namespace, Instant at) {
        return null;
    }

    /** The Prometheus HTTP API at {@code client}, each query over {@code window}. */
    static MetricSource of(PrometheusClient client, Duration window) {
        return new MetricSource() {
            @Override
            public Map<String, Double> values(PromQlTemplate query, String pool, String namespace, List<String> pods, Instant at) {
                return client.query(query.render(pool, namespace, pods, window), at);
            }

            @Override
            public Map<String, Double> namespaceValues(PromQlTemplate query, String pool, String namespace, Instant at) {
                return client.query(query.renderNamespace(pool, namespace, window), at);
            }
        };
    }
}
