package io.noah.api.persistence;

import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A table of long-running operations, each one JSON document (node operations, migrations): compare-and-set on a
 * version, one holder at a time by lease (judged by the database's clock), so a restarted Noah goes on from the stored
 * progress. The table has {@code id, state, doc, version, holder, lease_until, created_at, updated_at}; {@code active}
 * is the SQL condition on {@code state} of the operations still to run.
 */
public final class LeasedDocuments<T> {

    /** How to read the fields the table keeps beside the document. */
    public record Shape<T>(Class<T> type, Function<T, String> id, Function<T, String> state, Function<T, Instant> createdAt,
                           Function<T, Long> version, BiFunction<T, Long, T> withVersion, Predicate<T> ended) {
    }

    private final JdbcClient db;
    private final JsonMapper json;
    private final String table;
    private final String active;
    private final Shape<T> shape;

    public LeasedDocuments(JdbcClient db, JsonMapper json, String table, String active, Shape<T> shape) {
        this.db = db;
        this.json = json;
        this.table = table;
        this.active = active;
        this.shape = shape;
    }

    private T row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return shape.withVersion().apply(json.readValue(rs.getString("doc"), shape.type()), rs.getLong("version"));
    }

    public void insert(T t) {
        Timestamp at = Timestamp.from(shape.createdAt().apply(t));
        db.sql("insert into " + table + " (id, state, doc, version, created_at, updated_at) values (?, ?, ?::jsonb, ?, ?, ?)")
                .params(shape.id().apply(t), shape.state().apply(t), json.writeValueAsString(t), shape.version().apply(t), at, at).update();
    }

    public Optional<T> find(String id) {
        return db.sql("select doc, version from " + table + " where id = ?").param(id).query(this::row).optional();
    }

    public List<T> list(int limit) {
        return db.sql("select doc, version from " + table + " order by created_at desc limit ?").param(limit).query(this::row).list();
    }

    public List<T> active() {
        return db.sql("select doc, version from " + table + " where " + active).query(this::row).list();
    }

    /** Active ones whose lease is free, expired, or this instance's: claimed (or renewed) for {@code lease}. */
    public List<T> claim(String instance, Duration lease) {
        return db.sql("update " + table + " set holder = ?, lease_until = now() + (? * interval '1 millisecond')"
                        + " where " + active + " and (holder is null or holder = ? or lease_until < now()) returning doc, version")
                .params(instance, lease.toMillis(), instance).query(this::row).list();
    }

    /** Stores {@code next} if the stored version is still its version; holder null: any (a caller's action). */
    public boolean update(T next, String holder) {
        long version = shape.version().apply(next);
        T stored = shape.withVersion().apply(next, version + 1);
        String sql = "update " + table + " set doc = ?::jsonb, state = ?, version = version + 1, updated_at = now()"
                + (shape.ended().test(next) ? ", holder = null, lease_until = null" : "")
                + " where id = ? and version = ?" + (holder == null ? "" : " and holder = ? and lease_until > now()");
        var q = db.sql(sql).params(json.writeValueAsString(stored), shape.state().apply(next), shape.id().apply(next), version);
        if (holder != null) {
            q = q.param(holder);
        }
        return q.update() == 1;
    }
}
