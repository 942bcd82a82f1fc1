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

    /** The Prometheus HTTP API at {@code client}, each query over {@code window}. */
    static MetricSource of(PrometheusClient client, Duration window) {
        return (query, pool, namespace, pods, at) -> client.query(query.render(pool, namespace, pods, window), at);
    }
}
