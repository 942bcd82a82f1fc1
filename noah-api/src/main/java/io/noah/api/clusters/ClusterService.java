package io.noah.api.clusters;

import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ClusterEntity;
import io.noah.api.persistence.ClusterRepository;
import io.noah.api.web.dto.ClusterRequests;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import io.noah.cluster.health.Loops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster registry's durable side: specs in PostgreSQL (credentials encrypted), declared ones
 * from the configuration, and the live side in {@link ClusterRegistry}. On start every stored and
 * declared cluster is registered; adds and removes take effect at once, without a restart.
 *
 * <p>A cluster that cannot be registered (its stored credentials cannot be decrypted, or carry what
 * {@code KubeconfigPolicy} refuses, such as an exec plugin stored before that check existed) is kept
 * as {@link Refused}: listed with its error, never connected to, and it can be fixed (PATCH with a new
 * connection) or removed. Maintenance, pool and labels are operational state on every cluster: for
 * clusters declared in the configuration they are kept in {@code cluster_override}.
 */
@Service
public class ClusterService {

    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);

    /** A known cluster (stored or declared) that is not registered, and why; {@code version}: the stored row's. */
    public record Refused(String name, String idc, String pool, Map<String, String> labels, boolean maintenance,
                          String connectionKind, ClusterSpec.Source source, String error, long version) {
    }

    private final ClusterRepository repo;
    private final ClusterRegistry registry;
    private final CredentialCipher cipher;
    private final JsonMapper json;
    private final NoahProperties props;
    private final Clock clock;
    private final ClusterOverrides overrides;
    private final Loops loops;
    private final Map<String, Refused> refused = new ConcurrentHashMap<>();
    /** Declared clusters as the configuration gives them (before operational overrides). */
    private final Map<String, ClusterSpec> declared = new ConcurrentHashMap<>();
    private final ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-cluster-sync").daemon().factory());
    private volatile Set<String> lastDifferences = Set.of();

    public ClusterService(ClusterRepository repo, ClusterRegistry registry, CredentialCipher cipher, JsonMapper json,
                          NoahProperties props, Clock clock, ClusterOverrides overrides, Loops loops) {
        this.repo = repo;
        this.registry = registry;
        this.cipher = cipher;
        this.json = json;
        this.props = props;
        this.clock = clock;
        this.overrides = overrides;
        this.loops = loops;
    }

    @EventListener(ApplicationReadyEvent.class)
    @org.springframework.core.annotation.Order(0) // before the event publisher (100): it works on the registered clusters
    public void start() {
        Map<String, ClusterOverrides.Override> set = overrides.all();
        for (NoahProperties.DeclaredCluster d : props.clusters()) {
            ClusterSpec base;
            try {
                base = declared(d);
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
        for (ClusterEntity e : repo.findAll()) {
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

    /** Registers a stored cluster, or keeps it as refused with the reason. */
    private void load(ClusterEntity e) {
        ClusterSpec spec;
        try {
            spec = toSpec(e);
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

    /** Clusters Noah knows but could not register, by name. */
    public Map<String, Refused> refused() {
        return Map.copyOf(refused);
    }

    public Optional<Refused> refused(String name) {
        return Optional.ofNullable(refused.get(name));
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
                spec = toSpec(e);
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

    @jakarta.annotation.PreDestroy
    void stopSync() {
        syncer.shutdownNow();
    }

    @Transactional
    public String create(ClusterRequests.Create r) {
        ClusterSpec.requireDnsLabel("name", r.name());
        ClusterSpec.requireDnsLabel("idc", r.idc());
        if (r.pool() != null) {
            ClusterSpec.requireDnsLabel("pool", r.pool());
        }
        checkLabels(r.labels());
        if (registry.get(r.name()).isPresent() || refused.containsKey(r.name()) || declared.containsKey(r.name())
                || repo.existsById(r.name())) {
            throw new NoahException(NoahException.Reason.CLUSTER_EXISTS, "cluster " + r.name() + " is already registered");
        }
        ClusterConnection connection = connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate());
        ClusterSpec spec = new ClusterSpec(r.name(), r.idc(), r.pool(), r.labels(), Boolean.TRUE.equals(r.maintenance()),
                connection, ClusterSpec.Source.API);
        registry.validate(spec);
        ClusterEntity e = new ClusterEntity();
        e.name = spec.name();
        e.createdAt = clock.instant();
        write(e, spec);
        repo.saveAndFlush(e);
        return registry.register(spec).name();
    }

    /**
     * Changes a cluster. Declared clusters: maintenance, pool and labels only (kept as overrides); their IDC and
     * connection are the configuration's (409). A refused cluster can be fixed with a new connection.
     */
    @Transactional
    public String patch(String name, ClusterRequests.Patch r) {
        ClusterHandle h = registry.get(name).orElse(null);
        Refused ref = h == null ? refused.get(name) : null;
        if (h == null && ref == null) {
            registry.require(name); // 404
        }
        if (r.idc() != null) {
            ClusterSpec.requireDnsLabel("idc", r.idc());
        }
        if (r.pool() != null) {
            ClusterSpec.requireDnsLabel("pool", r.pool());
        }
        if (r.labels() != null) {
            checkLabels(r.labels());
        }
        boolean newConnection = r.kubeconfig() != null || r.context() != null || r.server() != null || r.token() != null
                || r.caCertificate() != null;
        if ((h != null ? h.spec().source() : ref.source()) == ClusterSpec.Source.CONFIG) {
            if (r.idc() != null || newConnection) {
                throw new NoahException(NoahException.Reason.CLUSTER_DECLARED_IN_CONFIG, "cluster " + name
                        + " is declared in the configuration: its " + (r.idc() != null ? "IDC" : "connection")
                        + " is changed there (maintenance, pool and labels can be changed here)");
            }
            return patchDeclared(name, r);
        }
        ClusterEntity e = repo.findById(name).orElseThrow(() -> new NoahException(NoahException.Reason.CLUSTER_NOT_FOUND,
                "no cluster named '" + name + "' is stored"));
        if (h == null && !newConnection) {
            // refused: its placement can change, its stored connection stays refused until a new one is given
            e.idc = r.idc() != null ? r.idc() : e.idc;
            e.pool = r.pool() != null ? r.pool() : e.pool;
            e.labels = r.labels() != null ? json.writeValueAsString(new LinkedHashMap<>(r.labels())) : e.labels;
            e.maintenance = r.maintenance() != null ? r.maintenance() : e.maintenance;
            e.updatedAt = clock.instant();
            repo.saveAndFlush(e);
            refused.put(name, new Refused(name, e.idc, e.pool, labels(e), e.maintenance, ref.connectionKind(), ref.source(),
                    ref.error(), e.version));
            return name;
        }
        ClusterConnection connection = newConnection ? connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate())
                : h.spec().connection();
        ClusterSpec spec = new ClusterSpec(name, r.idc() != null ? r.idc() : e.idc, r.pool() != null ? r.pool() : e.pool,
                r.labels() != null ? r.labels() : labels(e), r.maintenance() != null ? r.maintenance() : e.maintenance,
                connection, ClusterSpec.Source.API);
        if (newConnection) {
            registry.validate(spec);
        }
        write(e, spec);
        repo.saveAndFlush(e);
        if (h == null) {
            registry.register(spec);
            refused.remove(name);
            log.info("cluster {} registered with its new connection", name);
            return name;
        }
        return registry.update(spec).name();
    }

    private String patchDeclared(String name, ClusterRequests.Patch r) {
        ClusterOverrides.Override next = overrides.get(name).with(r.maintenance(), r.pool(), r.labels());
        overrides.put(name, next);
        ClusterSpec base = declared.get(name);
        if (base == null) { // declared but refused: the override applies once it registers
            Refused ref = refused.get(name);
            refused.put(name, new Refused(name, ref.idc(), next.pool() != null ? next.pool() : ref.pool(),
                    next.labels() != null ? next.labels() : ref.labels(), next.maintenance() != null ? next.maintenance() : ref.maintenance(),
                    ref.connectionKind(), ref.source(), ref.error(), ref.version()));
            return name;
        }
        return registry.update(next.applyTo(base)).name();
    }

    @Transactional
    public void delete(String name) {
        ClusterHandle h = registry.get(name).orElse(null);
        Refused ref = h == null ? refused.get(name) : null;
        if (h == null && ref == null) {
            registry.require(name); // 404
        }
        if ((h != null ? h.spec().source() : ref.source()) == ClusterSpec.Source.CONFIG) {
            throw new NoahException(NoahException.Reason.CLUSTER_DECLARED_IN_CONFIG,
                    "cluster " + name + " is declared in the configuration; remove it there");
        }
        repo.deleteById(name);
        repo.flush();
        if (h != null) {
            registry.remove(name);
        }
        refused.remove(name);
    }

    private static Refused refusedSpec(ClusterSpec s, RuntimeException e, long version) {
        return new Refused(s.name(), s.idc(), s.pool(), s.labels(), s.maintenance(), kind(s.connection()), s.source(), describe(e), version);
    }

    private Refused refusedRow(ClusterEntity e, RuntimeException ex) {
        Map<String, String> labels;
        try {
            labels = labels(e);
        } catch (RuntimeException bad) {
            labels = Map.of();
        }
        return new Refused(e.name, e.idc, e.pool, labels, e.maintenance, e.connectionKind, ClusterSpec.Source.API,
                "its stored credentials cannot be read: " + describe(ex), e.version);
    }

    /** "kubeconfig" or "token": how a connection is shown. */
    public static String kind(ClusterConnection c) {
        return switch (c) {
            case ClusterConnection.Kubeconfig k -> "kubeconfig";
            case ClusterConnection.KubeconfigFile f -> "kubeconfig";
            case ClusterConnection.Token t -> "token";
        };
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private Map<String, String> labels(ClusterEntity e) {
        return json.readValue(e.labels, new TypeReference<>() {
        });
    }

    private void write(ClusterEntity e, ClusterSpec spec) {
        e.idc = spec.idc();
        e.pool = spec.pool();
        e.labels = json.writeValueAsString(new LinkedHashMap<>(spec.labels()));
        e.maintenance = spec.maintenance();
        Map<String, String> secret = new LinkedHashMap<>();
        switch (spec.connection()) {
            case ClusterConnection.Kubeconfig k -> {
                e.connectionKind = "kubeconfig";
                secret.put("kubeconfig", k.content());
                if (k.context() != null) {
                    secret.put("context", k.context());
                }
            }
            case ClusterConnection.KubeconfigFile f ->
                    throw new IllegalArgumentException("a declared kubeconfig file is never stored: " + spec.name());
            case ClusterConnection.Token t -> {
                e.connectionKind = "token";
                secret.put("server", t.server());
                secret.put("token", t.token());
                secret.put("caCertificate", t.caCertificate());
            }
        }
        e.credentials = cipher.encrypt(json.writeValueAsString(secret));
        e.keyId = cipher.keyId();
        e.updatedAt = clock.instant();
    }

    private ClusterSpec toSpec(ClusterEntity e) {
        Map<String, String> secret = json.readValue(cipher.decrypt(e.credentials, e.keyId), new TypeReference<>() {
        });
        ClusterConnection c = "kubeconfig".equals(e.connectionKind)
                ? new ClusterConnection.Kubeconfig(secret.get("kubeconfig"), secret.get("context"))
                : new ClusterConnection.Token(secret.get("server"), secret.get("token"), secret.get("caCertificate"));
        return new ClusterSpec(e.name, e.idc, e.pool, labels(e), e.maintenance, c, ClusterSpec.Source.API);
    }

    private static ClusterConnection connection(String kubeconfig, String context, String server, String token, String ca) {
        boolean hasKubeconfig = kubeconfig != null && !kubeconfig.isBlank();
        boolean hasToken = server != null || token != null || ca != null;
        if (hasKubeconfig && hasToken) {
            throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "kubeconfig",
                    "give either a kubeconfig or server + token + caCertificate, not both");
        }
        if (hasKubeconfig) {
            return new ClusterConnection.Kubeconfig(kubeconfig, context);
        }
        if (hasToken) {
            return new ClusterConnection.Token(server, token, ca);
        }
        throw NoahException.invalid(NoahException.Reason.INVALID_CONNECTION, "kubeconfig",
                "a connection is required: a kubeconfig, or server + token + caCertificate");
    }

    private static void checkLabels(Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            if (!LabelSelector.isValidKey(k)) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "labels", "'" + k + "' is not a valid label key");
            }
            if (!LabelSelector.isValidValue(v)) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "labels." + k, "'" + v + "' is not a valid label value");
            }
        });
    }

    private static ClusterSpec declared(NoahProperties.DeclaredCluster d) {
        ClusterSpec.requireDnsLabel("noah.clusters[].name", d.name());
        ClusterConnection c;
        if (d.kubeconfigFile() != null) {
            c = new ClusterConnection.KubeconfigFile(d.kubeconfigFile(), d.context());
        } else {
            c = new ClusterConnection.Token(d.server(), d.tokenFile() == null ? null : read(d.tokenFile()).trim(),
                    d.caFile() == null ? null : read(d.caFile()));
        }
        return new ClusterSpec(d.name(), d.idc(), d.pool(), d.labels(), d.maintenance(), c, ClusterSpec.Source.CONFIG);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
