package io.noah.api.advice;

import io.noah.hpa.advice.AdviceReport;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Advice runs and their advice in PostgreSQL (V10__advice.sql). */
@Component
public class JdbcAdviceStore {

    /** A run as stored; {@code summary}: counts per kind and class, failed apps. */
    public record Run(String id, String slot, String state, String trigger, String actor, String reason, long windowSeconds, String instance,
                      Instant createdAt, Instant heartbeatAt, Instant finishedAt, String error, Map<String, Object> summary) {
    }

    /** One piece of advice with its state ({@code open}, {@code done}, {@code dismissed}) and who set it, why, when. */
    public record Item(long id, String runId, AdviceReport.Advice advice, String state, String stateActor, String stateReason, Instant stateAt) {
    }

    public record Filter(String cluster, String idc, String namespace, String app, String kind, String state) {
    }

    private static final String RUN_COLUMNS = "id, slot, state, trigger, actor, reason, window_seconds, instance, created_at, heartbeat_at,"
            + " finished_at, error, summary";

    private final JdbcClient db;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public JdbcAdviceStore(JdbcClient db, JdbcTemplate jdbc, JsonMapper json) {
        this.db = db;
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A new RUNNING run; false when another run is running (one at a time) or the slot is taken. */
    public boolean insert(Run r) {
        try {
            db.sql("insert into advice_run (id, slot, state, trigger, actor, reason, window_seconds, instance, created_at, heartbeat_at)"
                            + " values (?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)")
                    .params(r.id(), r.slot(), r.trigger(), r.actor(), r.reason(), r.windowSeconds(), r.instance(),
                            Timestamp.from(r.createdAt()), Timestamp.from(r.createdAt()))
                    .update();
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public Optional<Run> running() {
        return db.sql("select " + RUN_COLUMNS + " from advice_run where state = 'RUNNING'").query(this::mapRun).optional();
    }

    public void heartbeat(String id, Instant at) {
        db.sql("update advice_run set heartbeat_at = ? where id = ? and state = 'RUNNING'").params(Timestamp.from(at), id).update();
    }

    /** Runs whose heartbeat is older than {@code before} were left by an instance that stopped: failed, so another can start. */
    public int expire(Instant before, Instant now) {
        return db.sql("update advice_run set state = 'FAILED', finished_at = ?, error = 'abandoned: the instance running it stopped"
                        + " (no heartbeat since ' || heartbeat_at || ')' where state = 'RUNNING' and heartbeat_at < ?")
                .params(Timestamp.from(now), Timestamp.from(before)).update();
    }

    public void fail(String id, String error, Instant at) {
        db.sql("update advice_run set state = 'FAILED', finished_at = ?, error = ? where id = ? and state = 'RUNNING'")
                .params(Timestamp.from(at), error, id).update();
    }

    /**
     * The run's report and advice, in one transaction: advice that was dismissed in the previous finished run stays
     * dismissed (same cluster, namespace, app and kind; who, why and when carried over); runs beyond the newest
     * {@code keep} are deleted.
     */
    @Transactional
    public boolean finish(String id, AdviceReport report, Map<String, Object> summary, Instant at, int keep) {
        String previous = db.sql("select id from advice_run where state = 'SUCCEEDED' order by created_at desc limit 1")
                .query(String.class).optional().orElse(null);
        AdviceReport doc = new AdviceReport(report.start(), report.end(), report.stepSeconds(), report.profiles(), report.similar(),
                report.complementary(), report.affinity(), report.overcommit(), List.of(), report.failedApps(), report.firstError());
        int n = db.sql("update advice_run set state = 'SUCCEEDED', finished_at = ?, heartbeat_at = ?, summary = ?::jsonb, report = ?::jsonb"
                        + " where id = ? and state = 'RUNNING'")
                .params(Timestamp.from(at), Timestamp.from(at), json.writeValueAsString(summary), json.writeValueAsString(doc), id).update();
        if (n == 0) {
            return false; // expired meanwhile: another instance may have started a run
        }
        List<Object[]> rows = new ArrayList<>(report.advice().size());
        for (AdviceReport.Advice a : report.advice()) {
            rows.add(new Object[]{id, a.cluster(), a.idc(), a.namespace(), a.app(), a.kind(), a.rank(), json.writeValueAsString(a)});
        }
        jdbc.batchUpdate("insert into advice_item (run_id, cluster, idc, namespace, app, kind, rank, doc) values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)", rows);
        if (previous != null) {
            db.sql("update advice_item n set state = 'dismissed', state_actor = o.state_actor, state_reason = o.state_reason, state_at = o.state_at"
                            + " from advice_item o where n.run_id = ? and o.run_id = ? and o.state = 'dismissed' and o.cluster = n.cluster"
                            + " and o.namespace = n.namespace and o.app = n.app and o.kind = n.kind")
                    .params(id, previous).update();
        }
        db.sql("delete from advice_run where state <> 'RUNNING' and id not in (select id from advice_run order by created_at desc limit ?)")
                .param(Math.max(1, keep)).update();
        return true;
    }

    public Optional<Run> get(String id) {
        return db.sql("select " + RUN_COLUMNS + " from advice_run where id = ?").param(id).query(this::mapRun).optional();
    }

    public List<Run> list(int limit) {
        return db.sql("select " + RUN_COLUMNS + " from advice_run order by created_at desc limit ?").param(limit).query(this::mapRun).list();
    }

    public Optional<Run> latestSucceeded() {
        return db.sql("select " + RUN_COLUMNS + " from advice_run where state = 'SUCCEEDED' order by created_at desc limit 1")
                .query(this::mapRun).optional();
    }

    public Optional<Instant> latestCreated() {
        return db.sql("select max(created_at) from advice_run").query((rs, i) -> {
            Timestamp t = rs.getTimestamp(1);
            return t == null ? null : t.toInstant();
        }).optional();
    }

    public Optional<AdviceReport> report(String runId) {
        return db.sql("select report from advice_run where id = ? and report is not null").param(runId)
                .query((rs, i) -> json.readValue(rs.getString(1), AdviceReport.class)).optional();
    }

    public List<Item> items(String runId, Filter f, int limit) {
        StringBuilder sql = new StringBuilder("select id, run_id, doc, state, state_actor, state_reason, state_at from advice_item where run_id = ?");
        List<Object> params = new ArrayList<>(List.of(runId));
        add(sql, params, "cluster", f.cluster());
        add(sql, params, "idc", f.idc());
        add(sql, params, "namespace", f.namespace());
        add(sql, params, "app", f.app());
        add(sql, params, "kind", f.kind());
        add(sql, params, "state", f.state());
        sql.append(" order by kind, rank desc, cluster, namespace, app limit ?");
        params.add(limit);
        return db.sql(sql.toString()).params(params).query(this::mapItem).list();
    }

    private static void add(StringBuilder sql, List<Object> params, String column, String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ?");
            params.add(value);
        }
    }

    public Optional<Item> mark(long id, String state, String actor, String reason, Instant at) {
        return db.sql("update advice_item set state = ?, state_actor = ?, state_reason = ?, state_at = ? where id = ?"
                        + " returning id, run_id, doc, state, state_actor, state_reason, state_at")
                .params(state, actor, reason, Timestamp.from(at), id).query(this::mapItem).optional();
    }

    private Item mapItem(ResultSet rs, int i) throws SQLException {
        Timestamp at = rs.getTimestamp("state_at");
        return new Item(rs.getLong("id"), rs.getString("run_id"), json.readValue(rs.getString("doc"), AdviceReport.Advice.class),
                rs.getString("state"), rs.getString("state_actor"), rs.getString("state_reason"), at == null ? null : at.toInstant());
    }

    @SuppressWarnings("unchecked")
    private Run mapRun(ResultSet rs, int i) throws SQLException {
        Timestamp fin = rs.getTimestamp("finished_at");
        String summary = rs.getString("summary");
        return new Run(rs.getString("id"), rs.getString("slot"), rs.getString("state"), rs.getString("trigger"), rs.getString("actor"),
                rs.getString("reason"), rs.getLong("window_seconds"), rs.getString("instance"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("heartbeat_at").toInstant(), fin == null ? null : fin.toInstant(), rs.getString("error"),
                summary == null ? null : json.readValue(summary, Map.class));
    }
}
