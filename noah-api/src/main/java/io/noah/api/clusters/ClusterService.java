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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster registry's durable side: specs in PostgreSQL (credentials encrypted), declared ones
 * from the configuration, and the live side in {@link ClusterRegistry}. On start every stored and
 * declared cluster is registered; adds and removes take effect at once, without a restart.
 */
@Service
public class ClusterService {

    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);

    private final ClusterRepository repo;
    private final ClusterRegistry registry;
    private final CredentialCipher cipher;
    private final JsonMapper json;
    private final NoahProperties props;
    private final Clock clock;

    public ClusterService(ClusterRepository repo, ClusterRegistry registry, CredentialCipher cipher, JsonMapper json,
                          NoahProperties props, Clock clock) {
        this.repo = repo;
        this.registry = registry;
        this.cipher = cipher;
        this.json = json;
        this.props = props;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    @org.springframework.core.annotation.Order(0) // before the event publisher (100): it works on the registered clusters
    public void start() {
        for (NoahProperties.DeclaredCluster d : props.clusters()) {
            try {
                registry.register(declared(d));
            } catch (RuntimeException e) {
                log.error("declared cluster {} could not be registered: {}", d.name(), e.getMessage());
            }
        }
        for (ClusterEntity e : repo.findAll()) {
            if (registry.get(e.name).isPresent()) {
                log.warn("cluster {} is both declared in the configuration and stored; the configuration wins", e.name);
                continue;
            }
            try {
                registry.register(toSpec(e));
            } catch (RuntimeException ex) {
                log.error("stored cluster {} could not be registered: {}", e.name, ex.getMessage());
            }
        }
        log.info("{} clusters registered", registry.all().size());
        long ms = Math.max(1000, props.probeInterval().toMillis());
        syncer.scheduleWithFixedDelay(this::sync, ms, ms, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private final java.util.concurrent.ScheduledExecutorService syncer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-cluster-sync").daemon().factory());

    /**
     * Other Noah instances add, change and remove clusters too: every probe interval the registry is
     * brought in line with the database (clusters declared in the configuration are left alone).
     */
    void sync() {
        try {
            Map<String, ClusterEntity> stored = new java.util.HashMap<>();
            repo.findAll().forEach(e -> stored.put(e.name, e));
            Map<String, Runnable> actions = new java.util.HashMap<>();
            for (ClusterHandle h : registry.all()) {
                if (h.spec().source() == ClusterSpec.Source.API && !stored.containsKey(h.name())) {
                    actions.put("remove " + h.name(), () -> {
                        log.info("cluster {} was removed by another instance", h.name());
                        registry.remove(h.name());
                    });
                }
            }
            for (ClusterEntity e : stored.values()) {
                var current = registry.get(e.name);
                if (current.isPresent() && current.get().spec().source() == ClusterSpec.Source.CONFIG) {
                    continue;
                }
                ClusterSpec spec = toSpec(e);
                if (current.isEmpty()) {
                    actions.put("register " + e.name + " " + spec.hashCode(), () -> {
                        log.info("cluster {} was registered by another instance", e.name);
                        registry.register(spec);
                    });
                } else if (!current.get().spec().equals(spec)) {
                    actions.put("update " + e.name + " " + spec.hashCode(), () -> registry.update(spec));
                }
            }
            // a difference seen twice in a row: this instance's own API calls change the registry before
            // their transaction commits, so a single sighting may be one of those in flight
            for (var a : actions.entrySet()) {
                if (lastDifferences.contains(a.getKey())) {
                    try {
                        a.getValue().run();
                    } catch (RuntimeException ex) {
                        log.debug("cluster sync: {}: {}", a.getKey(), ex.toString());
                    }
                }
            }
            lastDifferences = actions.keySet();
        } catch (RuntimeException ex) {
            log.warn("cluster sync with the database failed: {}", ex.toString());
        }
    }

    private volatile java.util.Set<String> lastDifferences = java.util.Set.of();

    @jakarta.annotation.PreDestroy
    void stopSync() {
        syncer.shutdownNow();
    }

    @Transactional
    public ClusterHandle create(ClusterRequests.Create r) {
        ClusterSpec.requireDnsLabel("name", r.name());
        ClusterSpec.requireDnsLabel("idc", r.idc());
        if (r.pool() != null) {
            ClusterSpec.requireDnsLabel("pool", r.pool());
        }
        checkLabels(r.labels());
        if (registry.get(r.name()).isPresent() || repo.existsById(r.name())) {
            throw new NoahException(NoahException.Reason.CLUSTER_EXISTS, "cluster " + r.name() + " is already registered");
        }
        ClusterConnection connection = connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate(), true);
        ClusterSpec spec = new ClusterSpec(r.name(), r.idc(), r.pool(), r.labels(), Boolean.TRUE.equals(r.maintenance()),
                connection, ClusterSpec.Source.API);
        registry.validate(spec);
        ClusterEntity e = new ClusterEntity();
        e.name = spec.name();
        e.createdAt = clock.instant();
        write(e, spec);
        repo.saveAndFlush(e);
        return registry.register(spec);
    }

    @Transactional
    public ClusterHandle patch(String name, ClusterRequests.Patch r) {
        ClusterHandle h = registry.require(name);
        if (h.spec().source() == ClusterSpec.Source.CONFIG) {
            throw new NoahException(NoahException.Reason.CLUSTER_DECLARED_IN_CONFIG,
                    "cluster " + name + " is declared in the configuration; change it there");
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
        ClusterSpec old = h.spec();
        ClusterConnection connection = old.connection();
        if (r.kubeconfig() != null || r.server() != null || r.token() != null || r.caCertificate() != null) {
            connection = connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate(), true);
        }
        ClusterSpec spec = new ClusterSpec(name, r.idc() != null ? r.idc() : old.idc(), r.pool() != null ? r.pool() : old.pool(),
                r.labels() != null ? r.labels() : old.labels(), r.maintenance() != null ? r.maintenance() : old.maintenance(),
                connection, ClusterSpec.Source.API);
        if (connection != old.connection()) {
            registry.validate(spec);
        }
        ClusterEntity e = repo.findById(name).orElseThrow(() -> new NoahException(NoahException.Reason.CLUSTER_NOT_FOUND,
                "no cluster named '" + name + "' is stored"));
        write(e, spec);
        repo.saveAndFlush(e);
        return registry.update(spec);
    }

    @Transactional
    public void delete(String name) {
        ClusterHandle h = registry.require(name);
        if (h.spec().source() == ClusterSpec.Source.CONFIG) {
            throw new NoahException(NoahException.Reason.CLUSTER_DECLARED_IN_CONFIG,
                    "cluster " + name + " is declared in the configuration; remove it there");
        }
        repo.deleteById(name);
        repo.flush();
        registry.remove(name);
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
        Map<String, String> labels = json.readValue(e.labels, new TypeReference<>() {
        });
        return new ClusterSpec(e.name, e.idc, e.pool, labels, e.maintenance, c, ClusterSpec.Source.API);
    }

    private static ClusterConnection connection(String kubeconfig, String context, String server, String token, String ca,
                                                boolean required) {
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
            c = new ClusterConnection.Kubeconfig(read(d.kubeconfigFile()), d.context());
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
