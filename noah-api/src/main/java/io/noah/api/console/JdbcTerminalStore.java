package io.noah.api.console;

import io.noah.console.TerminalSession;
import io.noah.console.TerminalStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Terminal sessions in PostgreSQL: the session document, its hashed one-time ticket, heartbeat, end and recording. */
@Component
public class JdbcTerminalStore implements TerminalStore {

    private static final String OPEN = " ended_at is null and ((started_at is null and ticket_expires > ?) or heartbeat_at > ?)";

    private final JdbcClient db;
    private final JsonMapper json;

    public JdbcTerminalStore(JdbcClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    private TerminalSession doc(String s) {
        return json.readValue(s, TerminalSession.class);
    }

    @Override
    public void insert(TerminalSession s, String ticketHash, Instant ticketExpires) {
        db.sql("insert into terminal_session (id, actor, doc, ticket_hash, ticket_expires, created_at) values (?, ?, ?::jsonb, ?, ?, ?)")
                .params(s.id(), s.actor(), json.writeValueAsString(s), ticketHash, Timestamp.from(ticketExpires), Timestamp.from(s.createdAt()))
                .update();
    }

    @Override
    public Optional<TerminalSession> redeem(String id, String ticketHash, Instant now, String instance) {
        Timestamp t = Timestamp.from(now);
        return db.sql("update terminal_session set ticket_hash = null, started_at = ?, heartbeat_at = ?,"
                        + " doc = doc || jsonb_build_object('startedAt', to_jsonb(?::text), 'instance', to_jsonb(?::text))"
                        + " where id = ? and ticket_hash = ? and ticket_expires > ? and ended_at is null returning doc")
                .params(t, t, now.toString(), instance, id, ticketHash, t).query((rs, n) -> doc(rs.getString(1))).optional();
    }

    @Override
    public int openCount(String actor, Instant now, Instant freshAfter) {
        return db.sql("select count(*) from terminal_session where actor = ? and" + OPEN)
                .params(actor, Timestamp.from(now), Timestamp.from(freshAfter)).query(Integer.class).single();
    }

    @Override
    public void heartbeat(Collection<String> ids, Instant now) {
        if (!ids.isEmpty()) {
            db.sql("update terminal_session set heartbeat_at = ? where id = any(?)").params(Timestamp.from(now), ids.toArray(String[]::new)).update();
        }
    }

    @Override
    public void ended(String id, Instant at, String exit, String endedBy, long bytesIn, long bytesOut, String recording) {
        db.sql("update terminal_session set ended_at = ?, recording = ?, doc = doc || jsonb_build_object('endedAt', to_jsonb(?::text),"
                        + " 'exit', to_jsonb(?::text), 'endedBy', to_jsonb(?::text), 'bytesIn', ?::bigint, 'bytesOut', ?::bigint)"
                        + " where id = ? and ended_at is null")
                .params(Timestamp.from(at), recording, at.toString(), exit, endedBy, bytesIn, bytesOut, id).update();
    }

    @Override
    public Optional<TerminalSession> find(String id) {
        return db.sql("select doc from terminal_session where id = ?").param(id).query((rs, n) -> doc(rs.getString(1))).optional();
    }

    @Override
    public List<TerminalSession> open(String actor, Instant now, Instant freshAfter) {
        return db.sql("select doc from terminal_session where (?::text is null or actor = ?) and" + OPEN + " order by created_at desc limit 1000")
                .params(actor, actor, Timestamp.from(now), Timestamp.from(freshAfter)).query((rs, n) -> doc(rs.getString(1))).list();
    }

    @Override
    public boolean requestEnd(String id) {
        return db.sql("update terminal_session set end_requested = true where id = ? and ended_at is null").param(id).update() == 1;
    }

    @Override
    public boolean endUnstarted(String id, Instant at, String endedBy) {
        return db.sql("update terminal_session set ended_at = ?, ticket_hash = null, doc = doc || jsonb_build_object('endedAt',"
                        + " to_jsonb(?::text), 'exit', 'unknown', 'endedBy', to_jsonb(?::text)) where id = ? and started_at is null and ended_at is null")
                .params(Timestamp.from(at), at.toString(), endedBy, id).update() == 1;
    }

    @Override
    public int closeAbandoned(Instant now, Instant staleBefore) {
        Timestamp t = Timestamp.from(now);
        int expired = db.sql("update terminal_session set ended_at = ?, ticket_hash = null, doc = doc || jsonb_build_object('endedAt',"
                        + " to_jsonb(?::text), 'exit', 'unknown', 'endedBy', 'ticket-expired') where ended_at is null and started_at is null"
                        + " and ticket_expires < ?").params(t, now.toString(), t).update();
        int stopped = db.sql("update terminal_session set ended_at = ?, doc = doc || jsonb_build_object('endedAt', to_jsonb(?::text),"
                        + " 'exit', 'unknown', 'endedBy', 'instance-stopped') where ended_at is null and started_at is not null and heartbeat_at < ?")
                .params(t, now.toString(), Timestamp.from(staleBefore)).update();
        return expired + stopped;
    }

    @Override
    public int closeOf(String instance, Instant now) {
        return db.sql("update terminal_session set ended_at = ?, doc = doc || jsonb_build_object('endedAt', to_jsonb(?::text),"
                        + " 'exit', 'unknown', 'endedBy', 'instance-stopped') where ended_at is null and started_at is not null"
                        + " and doc->>'instance' = ?").params(Timestamp.from(now), now.toString(), instance).update();
    }

    @Override
    public Set<String> endRequested(Collection<String> ids) {
        return new HashSet<>(db.sql("select id from terminal_session where end_requested and id = any(?)").param(ids.toArray(String[]::new))
                .query(String.class).list());
    }

    @Override
    public Optional<String> recording(String id) {
        return db.sql("select recording from terminal_session where id = ? and recording is not null").param(id).query(String.class).optional();
    }
}
