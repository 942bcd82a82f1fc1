package io.noah.api.clusters;

import io.noah.api.config.NoahProperties;
import io.noah.api.persistence.ClusterEntity;
import io.noah.api.persistence.ClusterRepository;
import io.noah.api.web.dto.ClusterRequests;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import io.noah.cluster.health.Loops;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
    private final JsonMapper json;
    private final Clock clock;
    private final ClusterOverrides overrides;
    private final ClusterRows rows;
    private final ClusterLoader loader;
    /** The loader's: clusters known but not registered, and declared clusters before their overrides. */
    private final Map<String, Refused> refused;
    private final Map<String, ClusterSpec> declared;

    public ClusterService(ClusterRepository repo, ClusterRegistry registry, CredentialCipher cipher, JsonMapper json,
                          NoahProperties props, Clock clock, ClusterOverrides overrides, Loops loops) {
        this.repo = repo;
        this.registry = registry;
        this.json = json;
        this.clock = clock;
        this.overrides = overrides;
        this.rows = new ClusterRows(cipher, json, clock);
        this.loader = new ClusterLoader(repo, registry, rows, props, overrides, loops);
        this.refused = loader.refused;
        this.declared = loader.declared;
    }

    /** Clusters Noah knows but could not register, by name. */
    public Map<String, Refused> refused() {
        return Map.copyOf(refused);
    }

    public Optional<Refused> refused(String name) {
        return Optional.ofNullable(refused.get(name));
    }

    /** Registers the declared and stored clusters, then keeps the registry in line with the database. */
    @EventListener(ApplicationReadyEvent.class)
    @org.springframework.core.annotation.Order(0) // before the event publisher (100): it works on the registered clusters
    public void start() {
        loader.start();
    }

    @jakarta.annotation.PreDestroy
    void stopSync() {
        loader.stop();
    }

    @Transactional
    public String create(ClusterRequests.Create r) {
        ClusterSpec.requireDnsLabel("name", r.name());
        ClusterSpec.requireDnsLabel("idc", r.idc());
        if (r.pool() != null) {
            ClusterSpec.requireDnsLabel("pool", r.pool());
        }
        ClusterRows.checkLabels(r.labels());
        if (registry.get(r.name()).isPresent() || refused.containsKey(r.name()) || declared.containsKey(r.name())
                || repo.existsById(r.name())) {
            throw new NoahException(NoahException.Reason.CLUSTER_EXISTS, "cluster " + r.name() + " is already registered");
        }
        ClusterConnection connection = ClusterRows.connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate());
        ClusterSpec spec = new ClusterSpec(r.name(), r.idc(), r.pool(), r.labels(), Boolean.TRUE.equals(r.maintenance()),
                connection, ClusterSpec.Source.API);
        registry.validate(spec);
        ClusterEntity e = new ClusterEntity();
        e.name = spec.name();
        e.createdAt = clock.instant();
        rows.write(e, spec);
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
            ClusterRows.checkLabels(r.labels());
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
            refused.put(name, new Refused(name, e.idc, e.pool, rows.labels(e), e.maintenance, ref.connectionKind(), ref.source(),
                    ref.error(), e.version));
            return name;
        }
        ClusterConnection connection = newConnection ? ClusterRows.connection(r.kubeconfig(), r.context(), r.server(), r.token(), r.caCertificate())
                : h.spec().connection();
        ClusterSpec spec = new ClusterSpec(name, r.idc() != null ? r.idc() : e.idc, r.pool() != null ? r.pool() : e.pool,
                r.labels() != null ? r.labels() : rows.labels(e), r.maintenance() != null ? r.maintenance() : e.maintenance,
                connection, ClusterSpec.Source.API);
        if (newConnection) {
            registry.validate(spec);
        }
        rows.write(e, spec);
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

    /** "kubeconfig" or "token": how a connection is shown. */
    public static String kind(ClusterConnection c) {
        return switch (c) {
            case ClusterConnection.Kubeconfig k -> "kubeconfig";
            case ClusterConnection.KubeconfigFile f -> "kubeconfig";
            case ClusterConnection.Token t -> "token";
        };
    }

}
