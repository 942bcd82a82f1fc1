package io.noah.api.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.noah.api.autoscalers.JdbcAutoscalerStore;
import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.ops.ReplicaOwners;
import io.noah.cluster.ops.ScalerConflicts;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.hpa.AutoscalerLoop;
import io.noah.hpa.AutoscalerService;
import io.noah.hpa.Evaluator;
import io.noah.hpa.MetricSource;
import io.noah.hpa.Pools;
import io.noah.hpa.metrics.DefaultQueries;
import io.noah.hpa.metrics.PromQlTemplate;
import io.noah.hpa.metrics.PrometheusClient;
import io.noah.release.ReleaseOwners;
import io.noah.release.ReleaseStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Wires noah-hpa: the metric source, the evaluation loop, the policy service, and releases as owners of replica counts. */
@Configuration
public class AutoscalerConfiguration {

    /** Releases own an app's counts while they run; a migration freezes the app's counts in its source and target pools. */
    @Bean
    ReplicaOwners replicaOwners(ReleaseStore releases, io.noah.api.migrations.JdbcMigrationStore migrations) {
        ReleaseOwners byReleases = new ReleaseOwners(releases);
        return new ReplicaOwners() {
            @Override
            public Map<String, Owner> owners() {
                Map<String, Owner> out = new HashMap<>();
                io.noah.release.migrate.MigrationExecutor.held(migrations.active())
                        .forEach((key, id) -> out.put(key, Owner.frozen("migration " + id)));
                out.putAll(byReleases.owners());
                return out;
            }

            @Override
            public Answer requestTotal(String pool, String namespace, String app, int total, boolean up, String actor, String why,
                                       java.time.Instant at) {
                String id = io.noah.release.migrate.MigrationExecutor.held(migrations.active()).get(ReplicaOwners.key(pool, namespace, app));
                return id != null ? new Answer(false, "migration " + id + " owns the replica counts until it ends")
                        : byReleases.requestTotal(pool, namespace, app, total, up, actor, why, at);
            }
        };
    }

    @Bean
    Pools autoscalerPools(ClusterRegistry registry, DeploymentOps ops) {
        return Pools.of(registry, ops, new ScalerConflicts(registry));
    }

    /** The configured templates, parsed at start: a bad one stops Noah here instead of failing every tick. */
    static Map<String, PromQlTemplate> queries(NoahProperties.Autoscaler a) {
        Map<String, PromQlTemplate> q = new HashMap<>(DefaultQueries.BY_STRATEGY);
        a.queries().forEach((type, text) -> {
            if (!q.containsKey(type)) {
                throw new IllegalArgumentException("noah.autoscaler.queries." + type + ": only cpu, memory and io have configured queries");
            }
            try {
                q.put(type, new PromQlTemplate(text));
            } catch (PromQlTemplate.Invalid e) {
                throw new IllegalArgumentException("noah.autoscaler.queries." + type + ": " + e.getMessage(), e);
            }
        });
        return q;
    }

    @Bean(destroyMethod = "close")
    AutoscalerLoop autoscalerLoop(JdbcAutoscalerStore store, Pools pools, ReplicaOwners owners, NoahProperties props, Clock clock,
                                  NoahConfiguration.Instance instance, Loops loops, MeterRegistry meters) {
        NoahProperties.Autoscaler a = props.autoscaler();
        MetricSource source;
        if (a.metricsUrl() == null || a.metricsUrl().isBlank()) {
            source = (query, pool, namespace, pods, at) -> {
                throw new PrometheusClient.SourceException("no metric store is configured (noah.autoscaler.metrics-url)", null);
            };
        } else {
            source = MetricSource.of(new PrometheusClient(URI.create(a.metricsUrl()), a.queryTimeout()), a.window());
        }
        Evaluator evaluator = new Evaluator(pools, source, queries(a), owners, a.window());
        return new AutoscalerLoop(store, evaluator, source, pools, owners, clock, instance.id(), a.lease(), a.tick(), a.parallelism(), loops, meters,
                a.detailRefresh());
    }

    @Bean
    AutoscalerService autoscalerService(JdbcAutoscalerStore store, Pools pools, ClusterRegistry registry, Clock clock, AutoscalerLoop loop) {
        return new AutoscalerService(store, pools, () -> registry.all().stream().map(ClusterHandle::name).collect(Collectors.toSet()),
                clock, loop::wake);
    }
}
