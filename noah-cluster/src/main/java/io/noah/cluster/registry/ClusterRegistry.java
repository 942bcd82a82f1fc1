package io.noah.cluster.registry;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.noah.cluster.cache.ClusterCache;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The clusters Noah holds at run time: one fabric8 client and one {@link ClusterCache} per cluster,
 * started when a cluster is registered and stopped when it is removed, without a restart. Probes
 * every API server periodically ({@code /version}) so callers know which clusters are reachable.
 */
public final class ClusterRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterRegistry.class);

    /** Where the caches look and how often the API servers are probed. */
    public record Settings(String appLabel, List<String> namespaces, Duration probeInterval) {
        public Settings {
            namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
        }
    }

    private final Map<String, ClusterHandle> handles = new ConcurrentHashMap<>();
    private final java.util.Set<ClusterHandle> probing = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();
    private final List<Runnable> deploymentListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final KubeClientFactory clients;
    private final Settings settings;
    private final Clock clock;
    private final MeterRegistry meterRegistry;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-cluster-prober").daemon().factory());
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();

    private final Loops loops;

    public ClusterRegistry(KubeClientFactory clients, Settings settings, Clock clock, MeterRegistry meterRegistry, Loops loops) {
        this.clients = clients;
        this.settings = settings;
        this.clock = clock;
        this.meterRegistry = meterRegistry;
        this.loops = loops;
        long ms = settings.probeInterval().toMillis();
        prober.scheduleWithFixedDelay(loops.guard("cluster-probes", this::probeAll), ms, ms, TimeUnit.MILLISECONDS);
    }

    public Settings settings() {
        return settings;
    }

    /** Checks that a connection yields a client (kubeconfig parses, URL/token/CA well formed). */
    public void validate(ClusterSpec spec) {
        clients.create(spec.connection()).close();
    }

    /** Starts a client and caches for a new cluster; 409 when the name is taken. */
    public synchronized ClusterHandle register(ClusterSpec spec) {
        if (handles.containsKey(spec.name())) {
            throw new NoahException(NoahException.Reason.CLUSTER_EXISTS, "cluster " + spec.name() + " is already registered");
        }
        KubernetesClient client = clients.create(spec.connection());
        ClusterCache cache = new ClusterCache(spec.name(), settings.appLabel(), clock);
        deploymentListeners.forEach(cache::addDeploymentListener);
        ClusterHandle handle = new ClusterHandle(spec, client, cache);
        handles.put(spec.name(), handle);
        try (var ignored = MDC.putCloseable("cluster", spec.name())) {
            cache.start(client, settings.namespaces());
            log.info("cluster {} registered (idc {}, pool {}), caches starting", spec.name(), spec.idc(), spec.pool());
        }
        registerMeters(handle);
        probes.submit(loops.guard("cluster-probe." + spec.name(), () -> probe(handle)));
        return handle;
    }

    /** Replaces a cluster's spec; a changed connection restarts its client and caches. */
    public synchronized ClusterHandle update(ClusterSpec spec) {
        ClusterHandle current = require(spec.name());
        if (current.spec().connection().equals(spec.connection())) {
            current.spec(spec);
            return current;
        }
        remove(spec.name());
        return register(spec);
    }

    public synchronized void remove(String name) {
        ClusterHandle h = handles.remove(name);
        if (h == null) {
            throw notFound(name);
        }
        List<Meter> ms = meters.remove(name);
        if (ms != null && meterRegistry != null) {
            ms.forEach(meterRegistry::remove);
        }
        h.cache().close();
        h.client().close();
        loops.forget("cluster-probe." + name);
        log.info("cluster {} removed, client and caches stopped", name);
    }

    /** Told whenever a cached Deployment of any cluster (present or future) changes. Must not block. */
    public void addDeploymentListener(Runnable l) {
        deploymentListeners.add(l);
        handles.values().forEach(h -> h.cache().addDeploymentListener(l));
    }

    public Optional<ClusterHandle> get(String name) {
        return Optional.ofNullable(handles.get(name));
    }

    public ClusterHandle require(String name) {
        ClusterHandle h = handles.get(name);
        if (h == null) {
            throw notFound(name);
        }
        return h;
    }

    /** All clusters, in name order. */
    public List<ClusterHandle> all() {
        List<ClusterHandle> list = new ArrayList<>(handles.values());
        list.sort(Comparator.comparing(ClusterHandle::name));
        return list;
    }

    private static NoahException notFound(String name) {
        return new NoahException(NoahException.Reason.CLUSTER_NOT_FOUND, "no cluster named '" + name + "' is registered");
    }

    private void probeAll() {
        for (ClusterHandle h : handles.values()) {
            // one probe per cluster at a time: a slow API server must not collect a pile of them (seen as
            // several "is reachable" lines for one cluster from a JVM starting on a loaded machine)
            if (probing.add(h)) {
                probes.submit(loops.guard("cluster-probe." + h.name(), () -> {
                    try {
                        probe(h);
                    } finally {
                        probing.remove(h);
                    }
                }));
            }
        }
    }

    /** Probes now (also used by tests and the health endpoint). */
    public void probe(ClusterHandle h) {
        try (var ignored = MDC.putCloseable("cluster", h.name())) {
            ClusterHandle.Health before = h.health();
            ClusterHandle.Health now;
            try {
                var v = h.client().getKubernetesVersion();
                now = new ClusterHandle.Health(true, v.getGitVersion(), clock.instant(), null);
            } catch (RuntimeException e) {
                now = new ClusterHandle.Health(false, before.kubernetesVersion(), clock.instant(), describe(e));
            }
            h.health(now);
            if (before.reachable() != now.reachable()) {
                if (now.reachable()) {
                    log.info("cluster {} is reachable (Kubernetes {})", h.name(), now.kubernetesVersion());
                } else {
                    log.warn("cluster {} is unreachable: {}", h.name(), now.error());
                }
            }
        }
    }

    private static String describe(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        String m = r.getMessage();
        return r.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 160 ? m.substring(0, 160) : m));
    }

    private void registerMeters(ClusterHandle h) {
        if (meterRegistry == null) {
            return;
        }
        ClusterCache c = h.cache();
        List<Meter> ms = List.of(
                Gauge.builder("noah.cache.objects", c, x -> x.pods().size()).tag("cluster", h.name()).tag("kind", "pod")
                        .description("objects in Noah's cache").register(meterRegistry),
                Gauge.builder("noah.cache.objects", c, x -> x.deployments().size()).tag("cluster", h.name()).tag("kind", "deployment")
                        .register(meterRegistry),
                Gauge.builder("noah.cache.objects", c, x -> x.nodes().size()).tag("cluster", h.name()).tag("kind", "node")
                        .register(meterRegistry),
                Gauge.builder("noah.cache.watch.errors", c, ClusterCache::watchErrors).tag("cluster", h.name())
                        .description("watch/list errors after which the informers reconnected").register(meterRegistry),
                Gauge.builder("noah.cluster.reachable", h, x -> x.health().reachable() ? 1 : 0).tag("cluster", h.name())
                        .register(meterRegistry));
        meters.put(h.name(), ms);
    }

    @Override
    public synchronized void close() {
        prober.shutdownNow();
        probes.shutdownNow();
        for (String name : new ArrayList<>(handles.keySet())) {
            remove(name);
        }
    }
}
