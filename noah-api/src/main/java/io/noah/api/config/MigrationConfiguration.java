package io.noah.api.config;

import io.noah.api.migrations.JdbcMigrationStore;
import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.release.ReleaseStore;
import io.noah.release.migrate.MigrationExecutor;
import io.noah.release.migrate.MigrationPlanner;
import io.noah.release.migrate.MigrationService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Wires disaster-recovery migrations: planner (fit check), executor (lease, make-before-break), service. */
@Configuration
public class MigrationConfiguration {

    @Bean(destroyMethod = "close")
    MigrationExecutor migrationExecutor(JdbcMigrationStore store, DeploymentOps ops, ClusterRegistry registry, Clock clock, NoahProperties props,
                                        NoahConfiguration.Instance instance, Loops loops) {
        return new MigrationExecutor(store, ops, registry, clock, instance.id(), props.releaseLease(), props.releaseTick(), loops);
    }

    @Bean
    MigrationService migrationService(JdbcMigrationStore store, ClusterRegistry registry, DeploymentOps ops, ReleaseStore releases,
                                      Clock clock, MigrationExecutor executor) {
        return new MigrationService(store, new MigrationPlanner(registry, ops), releases, clock, executor::wake);
    }
}
