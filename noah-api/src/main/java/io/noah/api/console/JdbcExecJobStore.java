package io.noah.api.console;

import io.noah.console.BatchExec;
import io.noah.console.ExecJob;
import io.noah.console.ExecJobStore;
import io.noah.console.ExecOutcome;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Batch exec jobs in PostgreSQL: the job document, its outcomes appended in batches, a cancel flag, a heartbeat. */
@Component
public class JdbcExecJobStore implements ExecJobStore {

    private final JdbcClient db;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final JsonMapper json;
    private final TransactionTemplate tx;
    private final Clock clock;

    public JdbcExecJobStore(JdbcClient db, org.springframework.jdbc.core.JdbcTemplate jdbc, JsonMapper json, TransactionTemplate tx,
                            Clock clock) {
        this.db = db;
        this.jdbc = jdbc;
        this.json = json;
        this.tx = tx;
        this.clock = clock;
    }

    @Override
    public void insert(ExecJob job) {
        db.sql("insert into exec_job (id, state, doc, created_at, heartbeat_at) values (?, ?, ?::jsonb, ?, ?)")
                .params(job.id(), job.state().name(), json.writeValueAsString(job), Timestamp.from(job.createdAt()),
                        Timestamp.from(job.createdAt()))
                .update();
    }

    @Override
    public void progress(String id, List<ExecOutcome> outcomes, int peak, ExecJob ended) {
        tx.executeWithoutResult(s -> {
            insertResults(id, outcomes);
            Timestamp now = Timestamp.from(clock.instant());
            if (ended != null) {
                db.sql("update exec_job set state = ?, doc = ?::jsonb, heartbeat_at = ?, finished_at = ? where id = ? and state = 'RUNNING'")
                        .params(ended.state().name(), json.writeValueAsString(ended), now, Timestamp.from(ended.finishedAt()), id).update();
            } else {
                db.sql("update exec_job set heartbeat_at = ?, doc = jsonb_set(doc, '{peakConcurrency}', to_jsonb(?::int))"
                        + " where id = ? and state = 'RUNNING'").params(now, peak, id).update();
            }
        });
    }

    /** One batch (one round trip) per flush, not one statement per pod. */
    private void insertResults(String id, List<ExecOutcome> outcomes) {
        if (!outcomes.isEmpty()) {
            jdbc.batchUpdate("insert into exec_result (job_id, kind, doc) values (?, ?, ?::jsonb)", outcomes.stream()
                    .map(o -> new Object[]{id, o.kind().name(), json.writeValueAsString(o)}).toList());
        }
    }

    @Override
    public Optional<ExecJob> find(String id) {
        return db.sql("select doc from exec_job where id = ?").param(id).query((rs, n) -> json.readValue(rs.getString(1), ExecJob.class))
                .optional();
    }

    @Override
    public List<ExecOutcome> results(String id) {
        return db.sql("select doc from exec_result where job_id = ? order by seq").param(id)
                .query((rs, n) -> json.readValue(rs.getString(1), ExecOutcome.class)).list();
    }

    @Override
    public Map<ExecOutcome.Kind, Integer> counts(String id) {
        Map<ExecOutcome.Kind, Integer> out = new EnumMap<>(ExecOutcome.Kind.class);
        db.sql("select kind, count(*) from exec_result where job_id = ? group by kind").param(id)
                .query((rs, n) -> out.put(ExecOutcome.Kind.valueOf(rs.getString(1)), rs.getInt(2))).list();
        return out;
    }

    @Override
    public List<ExecJob> list(int limit) {
        return db.sql("select doc from exec_job order by created_at desc limit ?").param(limit)
                .query((rs, n) -> json.readValue(rs.getString(1), ExecJob.class)).list();
    }

    @Override
    public boolean requestCancel(String id) {
        return db.sql("update exec_job set cancel_requested = true where id = ? and state = 'RUNNING'").param(id).update() == 1;
    }

    @Override
    public boolean cancelRequested(String id) {
        return db.sql("select cancel_requested from exec_job where id = ?").param(id).query(Boolean.class).optional().orElse(false);
    }

    @Override
    public int interruptStale(Instant staleBefore) {
        return interrupt(db.sql("select id from exec_job where state = 'RUNNING' and heartbeat_at < ?").param(Timestamp.from(staleBefore))
                .query(String.class).list(), " and heartbeat_at < ?", Timestamp.from(staleBefore));
    }

    @Override
    public int interruptOf(String instance) {
        return interrupt(db.sql("select id from exec_job where state = 'RUNNING' and doc->>'instance' = ?").param(instance)
                .query(String.class).list(), " and doc->>'instance' = ?", instance);
    }

    /** Each job still RUNNING and still matching {@code condition} (re-checked under a row lock): interrupted. */
    private int interrupt(List<String> ids, String condition, Object param) {
        int n = 0;
        for (String id : ids) {
            Boolean done = tx.execute(s -> {
                ExecJob job = db.sql("select doc from exec_job where id = ? and state = 'RUNNING'" + condition + " for update")
                        .params(id, param).query((rs, k) -> json.readValue(rs.getString(1), ExecJob.class)).optional()
                        .orElse(null);
                if (job == null) {
                    return false;
                }
                Set<BatchExec.Target> seen = new HashSet<>();
                results(id).forEach(o -> seen.add(new BatchExec.Target(o.cluster(), o.namespace(), o.pod())));
                insertResults(id, job.targets().stream().filter(t -> !seen.contains(t)).map(t -> new ExecOutcome(t.cluster(), t.namespace(),
                        t.pod(), job.container(), ExecOutcome.Kind.INTERRUPTED, null, "", "", false,
                        "the Noah instance running the job stopped before this pod's outcome was stored", null, 0)).toList());
                Instant now = clock.instant();
                ExecJob ended = job.ended(ExecJob.State.INTERRUPTED, now, job.peakConcurrency());
                db.sql("update exec_job set state = ?, doc = ?::jsonb, finished_at = ? where id = ?")
                        .params(ended.state().name(), json.writeValueAsString(ended), Timestamp.from(now), id).update();
                return true;
            });
            n += Boolean.TRUE.equals(done) ? 1 : 0;
        }
        return n;
    }

    @Override
    public int deleteEndedBefore(Instant before) {
        return db.sql("delete from exec_job where state <> 'RUNNING' and finished_at < ?").param(Timestamp.from(before)).update();
    }
}
