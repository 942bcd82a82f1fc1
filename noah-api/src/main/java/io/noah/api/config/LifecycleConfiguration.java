package io.noah.api.config;

import io.noah.api.audit.AuditService;
import io.noah.api.lifecycle.LifecycleLoop;
import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.MaintenancePdbs;
import io.noah.cluster.ops.PodIsolation;
import io.noah.cluster.ops.PodTraffic;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Wires the lifecycle helpers (traffic, isolation, maintenance PDBs) and their loop; checks their configuration at start. */
@Configuration
public class LifecycleConfiguration {

    @Bean
    PodTraffic podTraffic(ClusterRegistry registry, NoahProperties props) {
        return new PodTraffic(registry, props.lifecycle().verifyTimeout());
    }

    @Bean
    PodIsolation podIsolation(ClusterRegistry registry, NoahProperties props) {
        var i = props.lifecycle().isolation();
        return new PodIsolation(registry, new PodIsolation.Labels(i.deploymentLabel(), i.statusLabel(), i.statusValue()),
                props.lifecycle().verifyTimeout());
    }

    @Bean
    io.noah.cluster.ops.TrafficWeights trafficWeights(ClusterRegistry registry) {
        return new io.noah.cluster.ops.TrafficWeights(registry);
    }

    @Bean(destroyMethod = "close")
    io.noah.api.nodes.NodeLabelsService nodeLabelsService(ClusterRegistry registry, NoahProperties props, AuditService audit, Loops loops) {
        var c = props.nodes().cmdb();
        return new io.noah.api.nodes.NodeLabelsService(new io.noah.cluster.ops.NodeLabelSync(registry, c.fieldManager(), c.allowedLabels()),
                c, audit, loops);
    }

    @Bean
    io.noah.cluster.nodeops.NodeDrainer nodeDrainer(ClusterRegistry registry) {
        return new io.noah.cluster.nodeops.NodeDrainer(registry);
    }

    @Bean(destroyMethod = "close")
    io.noah.cluster.nodeops.NodeOpExecutor nodeOpExecutor(io.noah.api.nodes.JdbcNodeOpStore store, io.noah.cluster.nodeops.NodeDrainer drainer,
                                                          Clock clock, NoahProperties props, NoahConfiguration.Instance instance, Loops loops) {
        return new io.noah.cluster.nodeops.NodeOpExecutor(store, drainer, clock, instance.id(),
                props.nodes().operationLease(), props.nodes().operationTick(), loops);
    }

    @Bean
    io.noah.api.nodes.NodeOperations nodeOperations(io.noah.api.nodes.JdbcNodeOpStore store, io.noah.cluster.nodeops.NodeDrainer drainer,
                                                    ClusterRegistry registry, Clock clock, io.noah.cluster.nodeops.NodeOpExecutor executor) {
        return new io.noah.api.nodes.NodeOperations(store, drainer, executor, registry, clock);
    }

    @Bean
    MaintenancePdbs maintenancePdbs(ClusterRegistry registry, NoahProperties props) {
        MaintenancePdbs.budget(props.lifecycle().pdbMaxUnavailable()); // a bad default stops Noah here
        return new MaintenancePdbs(registry);
    }

    @Bean(destroyMethod = "close")
    LifecycleLoop lifecycleLoop(ClusterRegistry registry, PodTraffic traffic, PodIsolation isolation, AuditService audit, Clock clock,
                                NoahProperties props, Loops loops) {
        var l = props.lifecycle();
        if (!LabelSelector.isValidKey(l.rackLabel())) {
            throw new IllegalArgumentException("noah.lifecycle.rack-label: not a label key: " + l.rackLabel());
        }
        l.appTypes().forEach((type, t) -> {
            if (!LabelSelector.isValidValue(type)) {
                throw new IllegalArgumentException("noah.lifecycle.app-types." + type + ": the name must be a label value");
            }
            for (var e : java.util.Map.of("readiness", java.util.Optional.ofNullable(t.readiness()),
                    "liveness", java.util.Optional.ofNullable(t.liveness()), "startup", java.util.Optional.ofNullable(t.startup())).entrySet()) {
                String problem = e.getValue().map(io.noah.cluster.ops.PodChange.Probe::problem).orElse(null);
                if (problem != null) {
                    throw new IllegalArgumentException("noah.lifecycle.app-types." + type + "." + e.getKey() + ": " + problem);
                }
            }
        });
        return new LifecycleLoop(registry, traffic, isolation, audit, clock, l.gateKeeper(), l.interval(), loops);
    }
}
