package io.noah.api.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.noah.api.audit.AuditFilter;
import io.noah.api.audit.AuditService;
import io.noah.api.events.JdbcLeaseStore;
import io.noah.events.EventsService;
import io.noah.events.EventsSettings;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.jdbc.core.simple.JdbcClient;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.ops.DeploymentScaler;
import io.noah.release.DeploymentGateway;
import io.noah.release.PoolView;
import io.noah.release.ReleaseExecutor;
import io.noah.release.ReleaseReconciler;
import io.noah.release.ReleaseService;
import io.noah.release.ReleaseStore;
import io.noah.cluster.health.Loops;
import io.noah.cluster.query.Inventory;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.cluster.registry.KubeClientFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.time.Clock;

/** Wires noah-cluster's plain-Java pieces into the application. */
@Configuration
@EnableConfigurationProperties(NoahProperties.class)
public class NoahConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * JSON bodies are taken as typed: no number or boolean where a string is expected, no string where a number or
     * boolean is ({"name": false} was read as "false"). A mistyped field is 400 invalid-field-type.
     */
    @Bean
    org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer strictScalars() {
        return b -> {
            b.enable(tools.jackson.databind.cfg.EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS); // "role": 0 is not ADMIN
            b.withCoercionConfig(tools.jackson.databind.type.LogicalType.Textual, c -> {
                c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Boolean, tools.jackson.databind.cfg.CoercionAction.Fail);
                c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Integer, tools.jackson.databind.cfg.CoercionAction.Fail);
                c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Float, tools.jackson.databind.cfg.CoercionAction.Fail);
            });
            for (var t : java.util.List.of(tools.jackson.databind.type.LogicalType.Integer, tools.jackson.databind.type.LogicalType.Float,
                    tools.jackson.databind.type.LogicalType.Boolean)) {
                b.withCoercionConfig(t, c -> {
                    c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.String, tools.jackson.databind.cfg.CoercionAction.Fail);
                    c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.EmptyString, tools.jackson.databind.cfg.CoercionAction.Fail);
                });
            }
            b.withCoercionConfig(tools.jackson.databind.type.LogicalType.Boolean, c ->
                    c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Integer, tools.jackson.databind.cfg.CoercionAction.Fail));
            b.withCoercionConfig(tools.jackson.databind.type.LogicalType.Integer, c ->
                    c.setCoercion(tools.jackson.databind.cfg.CoercionInputShape.Float, tools.jackson.databind.cfg.CoercionAction.Fail));
        };
    }

    /** Every background loop's last outcome (shown in health as "loops"). */
    @Bean
    Loops backgroundLoops(Clock clock) {
        return new Loops(clock);
    }

    @Bean(destroyMethod = "close")
    ClusterRegistry clusterRegistry(NoahProperties props, Clock clock, MeterRegistry meters, Loops loops) {
        KubeClientFactory clients = new KubeClientFactory(props.connectTimeout(), props.requestTimeout(), props.kubeconfig().allowExecPlugins(),
                props.tlsEngine());
        // the configured engine described: auto says why it fell back to the JDK
        LoggerFactory.getLogger(NoahConfiguration.class).info("TLS to the API servers: {}", props.tlsEngine().describe());
        return new ClusterRegistry(clients,
                new ClusterRegistry.Settings(props.appLabel(), props.namespaces(), props.probeInterval()), clock, meters, loops);
    }

    @Bean
    Inventory inventory(ClusterRegistry registry) {
        return new Inventory(registry);
    }

    @Bean
    DeploymentScaler deploymentScaler(DeploymentOps ops) {
        return new DeploymentScaler(ops);
    }

    @Bean
    DeploymentOps deploymentOps(ClusterRegistry registry) {
        return new DeploymentOps(registry);
    }

    /** This instance's name in leases and events: configured, or pid@random. */
    public record Instance(String id) {
    }

    @Bean
    Instance noahInstance(NoahProperties props) {
        return new Instance(props.instanceId() != null && !props.instanceId().isBlank() ? props.instanceId()
                : ProcessHandle.current().pid() + "@" + java.util.UUID.randomUUID().toString().substring(0, 8));
    }

    @Bean(destroyMethod = "close")
    ReleaseExecutor releaseExecutor(ReleaseStore store, DeploymentOps ops, ClusterRegistry registry, Clock clock, NoahProperties props,
                                    Instance noahInstance, Loops loops) {
        String instance = noahInstance.id();
        ReleaseExecutor executor = new ReleaseExecutor(store, new ReleaseReconciler(DeploymentGateway.of(ops), PoolView.of(registry), props.appLabel(), props.versionLabel()), clock,
                instance, props.releaseLease(), props.releaseTick(), loops);
        // event-driven: Kubernetes progress (a Deployment's status changed) is acted on at once, the tick is a safety net
        registry.addDeploymentListener(executor::kubernetesChanged);
        return executor;
    }

    @Bean
    ReleaseService releaseService(ReleaseStore store, DeploymentOps ops, ClusterRegistry registry, Clock clock,
                                  NoahProperties props, ReleaseExecutor executor) {
        return new ReleaseService(store, ops, registry, clock, props.appLabel(), executor::wake);
    }

    /** The event publisher, when Kafka is configured; started once the stored clusters are registered. */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("!'${noah.events.bootstrap-servers:}'.isBlank()")
    EventsService eventsService(ClusterRegistry registry, JdbcClient db, NoahProperties props, Instance instance, MeterRegistry meters,
                                Loops loops) {
        NoahProperties.Events e = props.events();
        EventsService service = new EventsService(registry, new JdbcLeaseStore(db),
                new EventsSettings(e.bootstrapServers(), e.topicNames(), instance.id(), e.lease(), e.poll(), e.bufferCapacity(),
                        e.partitions(), e.replicationFactor(), e.producer(), e.localLeaseCheck()),
                props.appLabel(), meters, loops);
        service.prepare(); // topics created while the rest of Noah starts
        return service;
    }

    /** Outside (before) Spring Security's chain, so 401 and 403 answers are audited too. */
    @Bean
    FilterRegistrationBean<AuditFilter> auditFilter(AuditService audit) {
        FilterRegistrationBean<AuditFilter> r = new FilterRegistrationBean<>(new AuditFilter(audit));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        r.addUrlPatterns("/*");
        return r;
    }
}
