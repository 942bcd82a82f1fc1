package io.noah.api.autoscalers;

import io.noah.cluster.model.NoahException;
import io.noah.hpa.Autoscaler;
import io.noah.hpa.AutoscalerStore;
import io.noah.hpa.DecisionRecord;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Autoscaler policies and decisions in PostgreSQL. Updates are compare-and-set on {@code version}; decisions are
 * recorded only while the recording instance still holds the policy's lease (the database's clock judges), so an
 * instance paused past its lease cannot write over the one that took the policy over.
 */
@Component
public class JdbcAutoscalerStore implements AutoscalerStore {

    private final JdbcClient db;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public JdbcAutoscalerStore(JdbcClient db, JdbcTemplate jdbc, JsonMapper json) {
        this.db = db;
        this.jdbc = jdbc;
        this.json = json;
    }

    @Override
    public void insert(Autoscaler a) {
        try {
            db.sql("insert into autoscaler (id, namespace, app, doc, version, created_by, created_at, updated_at)"
                            + " values (?, ?, ?, ?::jsonb, ?, ?, ?, ?)")
                    .params(a.id(), a.spec().namespace(), a.spec().app(), json.writeValueAsString(a), a.version(), a.createdBy(),
                            Timestamp.from(a.createdAt()), Timestamp.from(a.updatedAt()))
                    .update();
        } catch (DuplicateKeyException e) {
            String other = db.sql("select id from autoscaler where namespace = ? and app = ?").params(a.spec().namespace(), a.spec().app())
                    .query(String.class).optional().orElse("?");
            throw new NoahException(NoahException.Reason.CONFLICT, "app " + a.spec().app() + " in namespace " + a.spec().namespace()
                    + " already has an autoscaler (" + other + "); change that one");
        }
    }

    @Override
    public Optional<Autoscaler> get(String id) {
        return db.sql("select doc from autoscaler where id = ?").param(id).query(this::autoscaler).optional();
    }

    @Override
    public List<Autoscaler> list(String namespace, String app, int limit) {
        return db.sql("select doc from autoscaler where (cast(? as text) is null or namespace = ?) and (cast(? as text) is null or app = ?)"
                        + " order by namespace, app limit ?")
                .params(namespace, namespace, app, app, limit).query(this::autoscaler).list();
    }

    @Override
    public Optional<Autoscaler> update(Autoscaler a) {
        Autoscaler next = new Autoscaler(a.id(), a.spec(), a.version() + 1, a.createdBy(), a.createdAt(), a.updatedAt());
        int n = db.sql("update autoscaler set doc = ?::jsonb, version = ?, updated_at = ? where id = ? and version = ?")
                .params(json.writeValueAsString(next), next.version(), Timestamp.from(next.updatedAt()), a.id(), a.version()).update();
        return n == 1 ? Optional.of(next) : Optional.empty();
    }

    @Override
    public boolean delete(String id) {
        return db.sql("delete from autoscaler where id = ?").param(id).update() == 1;
    }

    /**
     * Heartbeat, renew held leases, then claim free or expired policies up to the fair share (policies / live
     * instances, rounded up); beyond the share (an instance joined) the surplus is let go for the others.
     */
    @Override
    @Transactional
    public List<Autoscaler> claim(String holder, Duration lease, Instant now) {
        double secs = lease.toMillis() / 1000.0;
        db.sql("insert into autoscaler_member (instance, seen_until) values (?, now() + make_interval(secs => ?))"
                + " on conflict (instance) do update set seen_until = excluded.seen_until").params(holder, secs).update();
        int members = Math.max(1, db.sql("select count(*) from autoscaler_member where seen_until > now()").query(Integer.class).single());
        int total = db.sql("select count(*) from autoscaler").query(Integer.class).single();
        int share = (total + members - 1) / members;
        List<Autoscaler> held = new ArrayList<>(db.sql("update autoscaler set lease_until = now() + make_interval(secs => ?)"
                + " where lease_holder = ? and lease_until > now() returning doc").params(secs, holder).query(this::autoscaler).list());
        if (held.size() > share && members > 1) {
            held.sort(java.util.Comparator.comparing(Autoscaler::id));
            List<Autoscaler> surplus = held.subList(share, held.size());
            for (Autoscaler a : surplus) {
                db.sql("update autoscaler set lease_holder = null, lease_until = null where id = ? and lease_holder = ?")
                        .params(a.id(), holder).update();
            }
            surplus.clear();
        } else if (held.size() < share) {
            held.addAll(db.sql("update autoscaler set lease_holder = ?, lease_until = now() + make_interval(secs => ?) where id in ("
                            + "select id from autoscaler where lease_holder is null or lease_until < now()"
                            + " order by created_at limit ? for update skip locked) returning doc")
                    .params(holder, secs, share - held.size()).query(this::autoscaler).list());
        }
        return held;
    }

    @Override
    public void release(String holder) {
        db.sql("update autoscaler set lease_holder = null, lease_until = null where lease_holder = ?").param(holder).update();
        db.sql("delete from autoscaler_member where instance = ?").param(holder).update();
    }

    private static final String HELD = " and exists (select 1 from autoscaler a where a.id = ? and a.lease_holder = ? and a.lease_until > now())";

    @Override
    @Transactional
    public long[] record(String holder, List<DecisionRecord> decisions, boolean[] keepDetail) {
        long[] ids = new long[decisions.size()];
        // a steady app extends its last record: those are one batch (most of a tick), the new ones return their ids; an
        // extension that keeps its detail writes a few columns and no JSON
        List<Integer> extended = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        List<Integer> touched = new ArrayList<>();
        List<Object[]> touches = new ArrayList<>();
        for (int i = 0; i < decisions.size(); i++) {
            DecisionRecord d = decisions.get(i);
            if (d.id() > 0 && keepDetail[i]) {
                touched.add(i);
                touches.add(new Object[]{d.repeats(), Timestamp.from(d.lastAt()), d.current(), d.desired(), d.id(), d.autoscalerId(), holder});
                continue;
            }
            String detail = json.writeValueAsString(d.detail());
            if (d.id() > 0) {
                extended.add(i);
                updates.add(new Object[]{d.repeats(), Timestamp.from(d.lastAt()), d.current(), d.desired(), detail, d.id(), d.autoscalerId(), holder});
            } else {
                ids[i] = jdbc.query("insert into autoscaler_decision (autoscaler_id, pool, at, last_at, repeats, mode, reason, current_count,"
                                + " desired_count, applied, detail) select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb where true" + HELD + " returning id",
                        rs -> rs.next() ? rs.getLong(1) : 0L, d.autoscalerId(), d.pool(), Timestamp.from(d.at()), Timestamp.from(d.lastAt()),
                        d.repeats(), d.mode(), d.reason(), d.current(), d.desired(), d.applied(), detail, d.autoscalerId(), holder);
            }
        }
        batch("update autoscaler_decision set repeats = ?, last_at = ?, current_count = ?, desired_count = ?, detail = ?::jsonb where id = ?"
                + HELD, updates, extended, decisions, ids);
        batch("update autoscaler_decision set repeats = ?, last_at = ?, current_count = ?, desired_count = ? where id = ?" + HELD,
                touches, touched, decisions, ids);
        return ids;
    }

    private void batch(String sql, List<Object[]> rows, List<Integer> index, List<DecisionRecord> decisions, long[] ids) {
        if (rows.isEmpty()) {
            return;
        }
        int[] n = jdbc.batchUpdate(sql, rows);
        for (int j = 0; j < n.length; j++) {
            int i = index.get(j);
            ids[i] = n[j] == 1 ? decisions.get(i).id() : 0;
        }
    }

    @Override
    public List<DecisionRecord> decisions(String autoscalerId, String pool, Long beforeId, int limit) {
        return db.sql("select * from autoscaler_decision where autoscaler_id = ? and (cast(? as text) is null or pool = ?)"
                        + " and (cast(? as bigint) is null or id < ?) order by id desc limit ?")
                .params(autoscalerId, pool, pool, beforeId, beforeId, limit).query(this::decision).list();
    }

    /** The newest decision of each pool of a policy. */
    public List<DecisionRecord> latest(String autoscalerId) {
        return db.sql("select distinct on (pool) * from autoscaler_decision where autoscaler_id = ? order by pool, id desc")
                .param(autoscalerId).query(this::decision).list();
    }

    @Override
    public int prune(Instant before) {
        return db.sql("delete from autoscaler_decision where last_at < ?").param(Timestamp.from(before)).update();
    }

    private Autoscaler autoscaler(ResultSet rs, int n) throws SQLException {
        return json.readValue(rs.getString("doc"), Autoscaler.class);
    }

    private DecisionRecord decision(ResultSet rs, int n) throws SQLException {
        return new DecisionRecord(rs.getLong("id"), rs.getString("autoscaler_id"), rs.getString("pool"), rs.getTimestamp("at").toInstant(),
                rs.getTimestamp("last_at").toInstant(), rs.getInt("repeats"), rs.getString("mode"), rs.getString("reason"),
                rs.getInt("current_count"), rs.getInt("desired_count"), rs.getBoolean("applied"),
                json.readValue(rs.getString("detail"), DecisionRecord.Detail.class));
    }
}
