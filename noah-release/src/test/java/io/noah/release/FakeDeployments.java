package io.noah.release;

import io.noah.cluster.cache.TemplatePrint;
import io.noah.cluster.ops.DeploymentOps;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pools of Deployments in memory, for the reconciler's unit tests: writes bump the generation as the API server
 * does; {@link #settle()} plays the Deployment controller (every pod of the spec created, ready and available;
 * {@link #holdReady} keeps some Deployments' pods from becoming ready). The cache view is the live state unless a
 * test makes it lag.
 */
final class FakeDeployments implements DeploymentGateway, PoolView {

    static final class D {
        int replicas;
        long generation = 1;
        long observed = 1;
        int status;
        int ready;
        TemplatePrint template;
        Map<String, String> labels = new LinkedHashMap<>();
    }

    final Map<String, D> deployments = new LinkedHashMap<>();
    final Set<String> maintenance = new java.util.HashSet<>();
    final Set<String> holdReady = new java.util.HashSet<>();
    /** Deployments whose removed pods keep terminating (status replicas stay) until released. */
    final Set<String> holdTerminating = new java.util.HashSet<>();
    /** Cached views that lag behind the live state (key → what the cache says). */
    final Map<String, Cached> staleCache = new HashMap<>();
    int writes;

    static String key(String pool, String ns, String name) {
        return pool + "/" + ns + "/" + name;
    }

    static TemplatePrint print(String image) {
        return new TemplatePrint(Map.of("main", new TemplatePrint.ContainerPrint(image, "env", "resources")), "rest");
    }

    /** A Deployment that exists before the release, settled. */
    D put(String pool, String ns, String name, int replicas, String image) {
        D d = new D();
        d.replicas = replicas;
        d.status = replicas;
        d.ready = replicas;
        d.template = print(image);
        deployments.put(key(pool, ns, name), d);
        return d;
    }

    D get(String pool, String ns, String name) {
        return deployments.get(key(pool, ns, name));
    }

    /** The Deployment controller catches up: pods created or removed, ready unless held. */
    void settle() {
        deployments.forEach((k, d) -> {
            d.observed = d.generation;
            d.status = holdTerminating.contains(k) ? Math.max(d.status, d.replicas) : d.replicas;
            d.ready = holdReady.contains(k) ? 0 : d.replicas;
        });
    }

    private static DeploymentOps.State state(String name, D d) {
        return new DeploymentOps.State(name, d.replicas, d.generation, d.observed, d.status, d.ready, d.ready, d.ready,
                d.labels, Map.of(), d.template);
    }

    @Override
    public Optional<DeploymentOps.State> state(String pool, String namespace, String name) {
        D d = deployments.get(key(pool, namespace, name));
        return d == null ? Optional.empty() : Optional.of(state(name, d));
    }

    @Override
    public DeploymentOps.State createCanary(String pool, String namespace, String runningName, String canaryName, String versionLabel,
                                            String version, DeploymentOps.Change change, Map<String, String> annotations) {
        writes++;
        D running = deployments.get(key(pool, namespace, runningName));
        if (running == null) {
            throw new IllegalStateException("no running Deployment " + runningName);
        }
        D d = new D();
        d.template = print(change.images().get("main"));
        d.labels.put(versionLabel, version);
        deployments.put(key(pool, namespace, canaryName), d);
        return state(canaryName, d);
    }

    @Override
    public DeploymentOps.State createNew(String pool, String namespace, String name, String appLabel, String app, String versionLabel,
                                         String version, DeploymentOps.Change change, Map<String, String> annotations) {
        writes++;
        D d = new D();
        d.template = print(change.images().get("main"));
        d.labels.put(appLabel, app);
        d.labels.put(versionLabel, version);
        deployments.put(key(pool, namespace, name), d);
        return state(name, d);
    }

    @Override
    public void scale(String pool, String namespace, String name, int replicas) {
        writes++;
        D d = deployments.get(key(pool, namespace, name));
        if (d == null) {
            throw new IllegalStateException("no Deployment " + name);
        }
        if (d.replicas != replicas) {
            d.replicas = replicas;
            d.generation++;
        }
    }

    @Override
    public void delete(String pool, String namespace, String name) {
        writes++;
        deployments.remove(key(pool, namespace, name));
    }

    @Override
    public boolean maintenance(String pool) {
        return maintenance.contains(pool);
    }

    @Override
    public Optional<Cached> cached(String pool, String namespace, String name) {
        String k = key(pool, namespace, name);
        if (staleCache.containsKey(k)) {
            return Optional.ofNullable(staleCache.get(k));
        }
        D d = deployments.get(k);
        return d == null ? Optional.empty() : Optional.of(new Cached(d.replicas, d.template.hash()));
    }
}
