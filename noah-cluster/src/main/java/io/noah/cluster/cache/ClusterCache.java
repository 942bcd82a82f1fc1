package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One cluster's caches: informers for Pods, Deployments and Nodes (all namespaces, or the configured
 * ones) that keep slim records. fabric8's informers list, then watch; on a watch error they
 * reconnect with backoff, on 410 Gone they relist (the store then drops what vanished).
 */
public final class ClusterCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterCache.class);

    /** Listens to changes of cached pods (e.g. the event publisher). Must not block. */
    public interface PodListener {
        void changed(String cluster, PodRecord old, PodRecord now);
    }

    private final String cluster;
    private final Clock clock;
    private final SlimItemStore<Pod, PodRecord> pods;
    private final SlimItemStore<Deployment, DeploymentRecord> deployments;
    private final SlimItemStore<Node, NodeRecord> nodes;
    private final ConcurrentHashMap<String, Set<String>> podsByIp = new ConcurrentHashMap<>();
    private final List<PodListener> podListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> deploymentListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Instant> lastEventAt = new AtomicReference<>();
    private final AtomicLong watchErrors = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();
    private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();

    public ClusterCache(String cluster, String appLabel, Clock clock) {
        this.cluster = cluster;
        this.clock = clock;
        this.pods = new SlimItemStore<>(p -> Slimming.pod(cluster, appLabel, p), Pod::new,
                new SlimItemStore.Meta<>() {
                    public String namespace(PodRecord r) { return r.namespace(); }
                    public String name(PodRecord r) { return r.name(); }
                    public String resourceVersion(PodRecord r) { return r.resourceVersion(); }
                }, this::podChanged);
        this.deployments = new SlimItemStore<>(d -> Slimming.deployment(cluster, appLabel, d), Deployment::new,
                new SlimItemStore.Meta<>() {
                    public String namespace(DeploymentRecord r) { return r.namespace(); }
                    public String name(DeploymentRecord r) { return r.name(); }
                    public String resourceVersion(DeploymentRecord r) { return r.resourceVersion(); }
                }, (o, n) -> deploymentChanged());
        this.nodes = new SlimItemStore<>(n -> Slimming.node(cluster, n), Node::new,
                new SlimItemStore.Meta<>() {
                    public String namespace(NodeRecord r) { return null; }
                    public String name(NodeRecord r) { return r.name(); }
                    public String resourceVersion(NodeRecord r) { return r.resourceVersion(); }
                }, (o, n) -> touched());
    }

    /** Starts the informers (does not wait for their first list). */
    public void start(KubernetesClient client, List<String> namespaces) {
        if (namespaces == null || namespaces.isEmpty()) {
            informers.add(start(client.pods().inAnyNamespace().runnableInformer(0), pods, "pods"));
            informers.add(start(client.apps().deployments().inAnyNamespace().runnableInformer(0), deployments, "deployments"));
        } else {
            for (String ns : namespaces) {
                // each informer sees only its namespace of the shared store: a relist must not drop the others' records
                informers.add(start(client.pods().inNamespace(ns).runnableInformer(0), pods.scoped(ns), "pods/" + ns));
                informers.add(start(client.apps().deployments().inNamespace(ns).runnableInformer(0), deployments.scoped(ns),
                        "deployments/" + ns));
            }
        }
        informers.add(start(client.nodes().runnableInformer(0), nodes, "nodes"));
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> SharedIndexInformer<T> start(
            SharedIndexInformer<T> informer, ItemStore<T> store, String what) {
        informer.removeNamespaceIndex();
        informer.itemStore(store);
        informer.exceptionHandler((isStarted, t) -> {
            watchErrors.incrementAndGet();
            log.debug("cluster {}: {} informer error ({}), retrying", cluster, what, t.toString());
            return true; // keep retrying with backoff: an unreachable cluster comes back by itself
        });
        informer.start();
        return informer;
    }

    private void deploymentChanged() {
        touched();
        deploymentListeners.forEach(Runnable::run);
    }

    /** Told (without details) whenever a cached Deployment changes. Must not block. */
    public void addDeploymentListener(Runnable l) {
        deploymentListeners.add(l);
    }

    private void touched() {
        changes.incrementAndGet();
        lastEventAt.set(clock.instant());
    }

    private void podChanged(PodRecord old, PodRecord now) {
        touched();
        if (old != null && old.podIP() != null && (now == null || !old.podIP().equals(now.podIP()))) {
            podsByIp.computeIfPresent(old.podIP(), (ip, keys) -> {
                keys.remove(old.key());
                return keys.isEmpty() ? null : keys;
            });
        }
        if (now != null && now.podIP() != null) {
            podsByIp.computeIfAbsent(now.podIP(), ip -> ConcurrentHashMap.newKeySet()).add(now.key());
        }
        for (PodListener l : podListeners) {
            try {
                l.changed(cluster, old, now);
            } catch (Throwable e) { // NOPMD: the informer's thread must go on for the other listeners and records
                log.error("cluster {}: pod listener failed", cluster, e);
            }
        }
    }

    public void addPodListener(PodListener l) {
        podListeners.add(l);
    }

    /** True once every informer has listed at least once. */
    public boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** True while every informer has an open watch. */
    public boolean watching() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    public String cluster() {
        return cluster;
    }

    public SlimItemStore<Pod, PodRecord> pods() {
        return pods;
    }

    public SlimItemStore<Deployment, DeploymentRecord> deployments() {
        return deployments;
    }

    public SlimItemStore<Node, NodeRecord> nodes() {
        return nodes;
    }

    /** Keys ("namespace/name") of the pods that currently have this IP. */
    public Set<String> podKeysWithIp(String ip) {
        Set<String> keys = podsByIp.get(ip);
        return keys == null ? Set.of() : Set.copyOf(keys);
    }

    /** Grows with every change the caches take in: equal readings mean nothing changed in between. */
    public long changes() {
        return changes.get();
    }

    public Instant lastEventAt() {
        return lastEventAt.get();
    }

    public long watchErrors() {
        return watchErrors.get();
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
