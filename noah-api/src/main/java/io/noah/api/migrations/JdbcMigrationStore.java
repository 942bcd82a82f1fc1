package io.noah.api.migrations;

import io.noah.release.migrate.Migration;
import io.noah.release.migrate.MigrationStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Migrations in PostgreSQL (V11): the document, its version (compare-and-set) and the lease of the instance running it. */
@Component
public class JdbcMigrationStore implements MigrationStore {

    private static final String ACTIVE = "state not in ('SUCCEEDED', 'ROLLED_BACK', 'ABORTED', 'FAILED')";

    private final JdbcClient db;
    private final JsonMapper json;

    public JdbcMigrationStore(JdbcClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    private Migration row(ResultSet rs, int n) throws SQLException {
        return json.readValue(rs.getString("doc"), Migration.class).withVersion(rs.getLong("version"));
    }

    @Override
    public void insert(Migration m) {
        db.sql("insert into migration (id, state, doc, version, created_at, updated_at) values (?, ?, ?::jsonb, ?, ?, ?)")
                .params(m.id(), m.state().name(), json.writeValueAsString(m), m.version(), Timestamp.from(m.createdAt()), Timestamp.from(m.createdAt()))
                .update();
    }

    @Override
    public Optional<Migration> find(String id) {
        return db.sql("select doc, version from migration where id = ?").param(id).query(this::row).optional();
    }

    @Override
    public List<Migration> list(int limit) {
        return db.sql("select doc, version from migration order by created_at desc limit ?").param(limit).query(this::row).list();
    }

    @Override
    public List<Migration> active() {
        return db.sql("select doc, version from migration where " + ACTIVE).query(this::row).list();
    }

    @Override
    public List<Migration> claim(String instance, Duration lease) {
        return db.sql("update migration set holder = ?, lease_until = now() + (? * interval '1 millisecond')"
                        + " where " + ACTIVE + " and (holder is null or holder = ? or lease_until < now()) returning doc, version")
                .params(instance, lease.toMillis(), instance).query(this::row).list();
    }

    @Override
    public boolean update(Migration next, String holder) {
        Migration stored = next.withVersion(next.version() + 1);
        String sql = "update migration set doc = ?::jsonb, state = ?, version = version + 1, updated_at = now()"
                + (next.state().ended() ? ", holder = null, lease_until = null" : "")
                + " where id = ? and version = ?" + (holder == null ? "" : " and holder = ? and lease_until > now()");
        var q = db.sql(sql).params(json.writeValueAsString(stored), next.state().name(), next.id(), next.version());
        if (holder != null) {
            q = q.param(holder);
        }
        return q.update() == 1;
    }
}
