package io.noah.release;

import io.noah.cluster.ops.DeploymentOps;

import java.util.Map;
import java.util.Optional;

/**
 * The Deployments of a release as the reconciler reads and writes them, per pool (a cluster): live state and the
 * four writes. In production {@link #of(DeploymentOps)}; in unit tests an in-memory fake.
 */
public interface DeploymentGateway {

    /** Live (not cached) state, empty when the Deployment does not exist. */
    Optional<DeploymentOps.State> state(String pool, String namespace, String name);

    /** {@code canaryName} at 0 replicas from {@code runningName}'s pod template plus the change. */
    DeploymentOps.State createCanary(String pool, String namespace, String runningName, String canaryName, String versionLabel,
                                     String version, DeploymentOps.Change change, Map<String, String> annotations);

    /** The first Deployment of an app that has none, at 0 replicas. */
    DeploymentOps.State createNew(String pool, String namespace, String name, String appLabel, String app, String versionLabel,
                                  String version, DeploymentOps.Change change, Map<String, String> annotations);

    void scale(String pool, String namespace, String name, int replicas);

    void delete(String pool, String namespace, String name);

    static DeploymentGateway of(DeploymentOps ops) {
        return new DeploymentGateway() {
            @Override
            public Optional<DeploymentOps.State> state(String pool, String namespace, String name) {
                return ops.state(pool, namespace, name);
            }

            @Override
            public DeploymentOps.State createCanary(String pool, String namespace, String runningName, String canaryName,
                                                    String versionLabel, String version, DeploymentOps.Change change,
                                                    Map<String, String> annotations) {
                return ops.createCanary(pool, namespace, runningName, canaryName, versionLabel, version, change, annotations);
            }

            @Override
            public DeploymentOps.State createNew(String pool, String namespace, String name, String appLabel, String app,
                                                 String versionLabel, String version, DeploymentOps.Change change,
                                                 Map<String, String> annotations) {
                return ops.createNew(pool, namespace, name, appLabel, app, versionLabel, version, change, annotations);
            }

            @Override
            public void scale(String pool, String namespace, String name, int replicas) {
                ops.scale(pool, namespace, name, replicas);
            }

            @Override
            public void delete(String pool, String namespace, String name) {
                ops.delete(pool, namespace, name);
            }
        };
    }
}
