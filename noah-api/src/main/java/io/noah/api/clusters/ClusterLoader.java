package io.noah.api.clusters;

import io.noah.api.clusters.ClusterService.Refused;
import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ClusterEntity;
import io.noah.api.persistence.ClusterRepository;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fills the registry: on start every declared cluster (with its operational overrides) and every stored one, then,
 * every probe interval, what other instances changed in the database. A cluster that cannot be registered is kept as
 * {@link Refused} with the reason.
 */
final class ClusterLoader {

    private static final Logger log = LoggerFactory.getLogger(ClusterLoader.class);

    private final ClusterRepository repo;
    private final ClusterRegistry registry;
    private final ClusterRows rows;
    private final NoahProperties props;
    private final ClusterOverrides overrides;
    private final Loops loops;
    final Map<String, Refused> refused = new ConcurrentHashMap<>();
    /** Declared clusters as the configuration gives them (before operational overrides). */
    final Map<String, ClusterSpec> declared = new ConcurrentHashMap<>();
    private final ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-cluster-sync").daemon().factory());
    private volatile Set<String> lastDifferences = Set.of();

    ClusterLoader(ClusterRepository repo, ClusterRegistry registry, ClusterRows rows, NoahProperties props, ClusterOverrides overrides,
                  Loops loops) {
        this.repo = repo;
        this.registry = registry;
        this.rows = rows;
        this.props = props;
        this.overrides = overrides;
        this.loops = loops;
    }

    void start() {
        Map<String, ClusterOverrides.Override> set = overrides.all();
        for (NoahProperties.DeclaredCluster d : props.clusters()) {
            ClusterSpec base;
            try {
                base = ClusterRows.declared(d);
            } catch (RuntimeException e) {
                refuse(new Refused(d.name(), d.idc(), d.pool(), d.labels(), d.maintenance(), d.kubeconfigFile() != null ? "kubeconfig" : "token",
                        ClusterSpec.Source.CONFIG, describe(e), 0), e);
                continue;
            }
            declared.put(base.name(), base);
            ClusterSpec spec = set.getOrDefault(base.name(), ClusterOverrides.Override.NONE).applyTo(base);
            try {
                registry.register(spec);
            } catch (RuntimeException e) {
                refuse(refusedSpec(spec, e, 0), e);
            }
        }
        List<ClusterEntity> stored = repo.findAll();
        rekey(stored);
        for (ClusterEntity e : stored) {
            if (declared.containsKey(e.name) || registry.get(e.name).isPresent()) {
                log.warn("cluster {} is both declared in the configuration and stored; the configuration wins", e.name);
                continue;
            }
            load(e);
        }
        log.info("{} clusters registered{}", registry.all().size(), refused.isEmpty() ? "" : ", " + refused.size() + " refused: " + refused.keySet());
        long ms = Math.max(1000, props.probeInterval().toMillis());
        syncer.scheduleWithFixedDelay(loops.guard("cluster-registry-sync", this::sync), ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * A key rotation (docs/operations.md): credentials stored under a previous key are re-encrypted with the current
     * one. Each row alone; one that fails stays as it is (readable as long as its key is configured) and is logged.
     */
    private void rekey(List<ClusterEntity> stored) {
        int done = 0;
        for (ClusterEntity e : stored) {
            try {
                byte[] again = rows.reencrypted(e);
                if (again != null && repo.rekey(e.name, again, rows.keyId(), e.keyId) == 1) {
                    log.info("cluster {}: credentials re-encrypted from key {} to key {}", e.name, e.keyId, rows.keyId());
                    e.credentials = again;
                    e.keyId = rows.keyId();
                    done++;
                }
            } catch (RuntimeException ex) {
                log.error("cluster {}: credentials not re-encrypted with the current key", e.name, ex);
            }
        }
        if (done > 0) {
            log.info("{} clusters' credentials re-encrypted with the current key {}", done, rows.keyId());
        }
    }

    /** Registers a stored cluster, or keeps it as refused with the reason. */
    private void load(ClusterEntity e) {
        ClusterSpec spec;
        try {
            spec = rows.toSpec(e);
        } catch (RuntimeException ex) {
            refuse(refusedRow(e, ex), ex);
            return;
        }
        try {
            registry.register(spec);
            refused.remove(e.name);
        } catch (RuntimeException ex) {
            refuse(refusedSpec(spec, ex, e.version), ex);
        }
    }

    private void refuse(Refused r, RuntimeException cause) {
        Refused before = refused.put(r.name(), r);
        if (before == null || !before.error().equals(r.error())) {
            log.error("cluster {} is not registered ({} cluster): {}", r.name(), r.source().name().toLowerCase(), r.error());
        }
        log.debug("cluster {} refused", r.name(), cause);
    }

    /**
     * Other Noah instances add, change and remove clusters too: every probe interval the registry is
     * brought in line with the database (declared clusters: only their operational overrides). A row that
     * cannot be read is reported for that cluster alone; the others are synced.
     */
    void sync() {
        Map<String, ClusterEntity> stored = new HashMap<>();
        repo.findAll().forEach(e -> stored.put(e.name, e));
        Map<String, Runnable> actions = new HashMap<>();
        for (ClusterHandle h : registry.all()) {
            if (h.spec().source() == ClusterSpec.Source.API && !stored.containsKey(h.name())) {
                actions.put("remove " + h.name(), () -> {
                    log.info("cluster {} was removed by another instance", h.name());
                    registry.remove(h.name());
                });
            }
        }
        for (Refused r : refused.values()) {
            if (r.source() == ClusterSpec.Source.API && !stored.containsKey(r.name())) {
                actions.put("forget " + r.name(), () -> refused.remove(r.name()));
            }
        }
        for (ClusterEntity e : stored.values()) {
            if (declared.containsKey(e.name)) {
                continue;
            }
            Optional<ClusterHandle> current = registry.get(e.name);
            Refused wasRefused = refused.get(e.name);
            if (current.isEmpty() && wasRefused != null && wasRefused.version() == e.version) {
                continue; // refused, and the row has not changed since
            }
            ClusterSpec spec;
            try {
                spec = rows.toSpec(e);
            } catch (RuntimeException ex) {
                if (current.isEmpty()) {
                    refuse(refusedRow(e, ex), ex);
                } else {
                    log.warn("cluster {}: its stored row cannot be read ({}); keeping the registered one", e.name, describe(ex));
                }
                continue;
            }
            if (current.isEmpty()) {
                actions.put("register " + e.name + " " + e.version, () -> {
                    log.info("cluster {} was registered or changed by another instance", e.name);
                    load(e);
                });
            } else if (!current.get().spec().equals(spec)) {
                actions.put("update " + e.name + " " + spec.hashCode(), () -> registry.update(spec));
            }
        }
        Map<String, ClusterOverrides.Override> set = overrides.all();
        declared.forEach((name, base) -> {
            ClusterSpec spec = set.getOrDefault(name, ClusterOverrides.Override.NONE).applyTo(base);
            registry.get(name).filter(h -> !h.spec().equals(spec))
                    .ifPresent(h -> actions.put("override " + name + " " + spec.hashCode(), () -> registry.update(spec)));
        });
        // a difference seen twice in a row: this instance's own API calls change the registry before
        // their transaction commits, so a single sighting may be one of those in flight
        for (var a : actions.entrySet()) {
            if (lastDifferences.contains(a.getKey())) {
                try {
                    a.getValue().run();
                } catch (RuntimeException ex) {
                    log.warn("cluster sync: {}: {}", a.getKey(), ex.toString());
                }
            }
        }
        lastDifferences = actions.keySet();
    }

    void stop() {
        syncer.shutdownNow();
    }

    private static Refused refusedSpec(ClusterSpec s, RuntimeException e, long version) {
        return new Refused(s.name(), s.idc(), s.pool(), s.labels(), s.maintenance(), ClusterService.kind(s.connection()), s.source(), describe(e), version);
    }

    private Refused refusedRow(ClusterEntity e, RuntimeException ex) {
        Map<String, String> labels;
        try {
            labels = rows.labels(e);
        } catch (RuntimeException bad) {
            labels = Map.of();
        }
        return new Refused(e.name, e.idc, e.pool, labels, e.maintenance, e.connectionKind, ClusterSpec.Source.API,
                "its stored credentials cannot be read: " + describe(ex), e.version);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
