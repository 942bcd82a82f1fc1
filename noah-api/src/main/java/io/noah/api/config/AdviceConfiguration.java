package io.noah.api.config;

import io.noah.api.advice.AdviceService;
import io.noah.api.advice.JdbcAdviceStore;
import io.noah.cluster.health.Loops;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.hpa.metrics.PrometheusClient;
import io.noah.release.ReleaseStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.time.Clock;

/** Wires resource advice: the advisor reads the autoscaler's metric store with range queries of its own timeout. */
@Configuration
public class AdviceConfiguration {

    @Bean(destroyMethod = "close")
    AdviceService adviceService(JdbcAdviceStore store, ClusterRegistry registry, ReleaseStore releases, NoahProperties props, Clock clock,
                                NoahConfiguration.Instance instance, Loops loops) {
        String url = props.autoscaler().metricsUrl();
        PrometheusClient client = url == null || url.isBlank() ? null : new PrometheusClient(URI.create(url), props.advice().queryTimeout());
        return new AdviceService(store, registry, releases, client == null ? null : client::queryRange, props.advice(), props.appLabel(),
                clock, instance.id(), loops);
    }
}
