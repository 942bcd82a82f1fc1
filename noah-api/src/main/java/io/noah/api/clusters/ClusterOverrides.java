package io.noah.api.clusters;

import io.noah.cluster.model.ClusterSpec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Operational state of clusters declared in the configuration (maintenance, pool, labels), set through the API
 * and kept in {@code cluster_override}; a null column keeps the configured value.
 */
@Component
class ClusterOverrides {

    /** What an operator set on a declared cluster; null keeps the configured value. */
    record Override(Boolean maintenance, String pool, Map<String, String> labels) {
        static final Override NONE = new Override(null, null, null);

        /** The declared spec with this override applied. */
        ClusterSpec applyTo(ClusterSpec base) {
            return new ClusterSpec(base.name(), base.idc(), pool != null ? pool : base.pool(), labels != null ? labels : base.labels(),
                    maintenance != null ? maintenance : base.maintenance(), base.connection(), base.source());
        }

        /** This override with the fields a change sets replaced. */
        Override with(Boolean maintenance, String pool, Map<String, String> labels) {
            return new Override(maintenance != null ? maintenance : this.maintenance, pool != null ? pool : this.pool,
                    labels != null ? Map.copyOf(labels) : this.labels);
        }
    }

    private final JdbcClient db;
    private final JsonMapper json;
    private final Clock clock;

    ClusterOverrides(JdbcClient db, JsonMapper json, Clock clock) {
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    Map<String, Override> all() {
        Map<String, Override> out = new HashMap<>();
        db.sql("select name, maintenance, pool, labels from cluster_override").query((rs, n) -> {
            boolean m = rs.getBoolean("maintenance");
            Boolean maintenance = rs.wasNull() ? null : m;
            String labels = rs.getString("labels");
            out.put(rs.getString("name"), new Override(maintenance, rs.getString("pool"),
                    labels == null ? null : json.readValue(labels, new TypeReference<Map<String, String>>() {
                    })));
            return null;
        }).list();
        return out;
    }

    Override get(String name) {
        return all().getOrDefault(name, Override.NONE);
    }

    void put(String name, Override o) {
        db.sql("insert into cluster_override (name, maintenance, pool, labels, updated_at) values (?, ?, ?, ?, ?)"
                        + " on conflict (name) do update set maintenance = excluded.maintenance, pool = excluded.pool,"
                        + " labels = excluded.labels, updated_at = excluded.updated_at")
                .params(name, o.maintenance(), o.pool(), o.labels() == null ? null : json.writeValueAsString(new TreeMap<>(o.labels())),
                        java.sql.Timestamp.from(clock.instant()))
                .update();
    }
}
