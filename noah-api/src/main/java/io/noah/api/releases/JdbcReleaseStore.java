package io.noah.api.releases;

import io.noah.cluster.model.NoahException;
import io.noah.release.Release;
import io.noah.release.ReleaseState;
import io.noah.release.ReleaseStore;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Releases in PostgreSQL. Updates are compare-and-set on {@code version}; executor updates also
 * require the lease, judged by the database's clock, so a paused or partitioned instance whose lease
 * expired cannot overwrite a release another instance now executes.
 */
@Component
public class JdbcReleaseStore implements ReleaseStore {

    private static final String ACTIVE = "('RUNNING','WAITING','PAUSED','ROLLING_BACK')";

    private final JdbcClient db;
    private final JsonMapper json;
    private final Clock clock;

    private final ReleaseEventHub hub;

    public JdbcReleaseStore(JdbcClient db, JsonMapper json, Clock clock, ReleaseEventHub hub) {
        this.hub = hub;
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void insert(Release r, Transition created) {
        try {
            List<Object> params = new java.util.ArrayList<>(List.of(r.id(), r.spec().app(), r.state().name(), json.writeValueAsString(r),
                    r.version(), Timestamp.from(r.createdAt()), Timestamp.from(r.createdAt())));
            params.addAll(eventParams(r, created));
            db.sql("with changed as (insert into release (id, app, state, doc, version, created_at, updated_at)"
                            + " values (?, ?, ?, ?::jsonb, ?, ?, ?) returning id) " + INSERT_EVENT)
                    .params(params).update();
            hub.poke();
        } catch (DuplicateKeyException e) {
            String other = db.sql("select id from release where app = ? and state in " + ACTIVE).param(r.spec().app())
                    .query(String.class).optional().orElse("?");
            throw new NoahException(NoahException.Reason.CONFLICT,
                    "app " + r.spec().app() + " already has an active release (" + other + ")");
        }
    }

    @Override
    public Optional<Release> get(String id) {
        return db.sql("select doc from release where id = ?").param(id)
                .query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).optional();
    }

    @Override
    public List<Release> list(String app, ReleaseState state, int limit) {
        return db.sql("select doc from release where (cast(? as text) is null or app = ?) and (cast(? as text) is null or state = ?)"
                        + " order by created_at desc limit ?")
                .params(app, app, state == null ? null : state.name(), state == null ? null : state.name(), limit)
                .query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).list();
    }

    @Override
    public List<Release> active() {
        return db.sql("select doc from release where state in " + ACTIVE)
                .query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).list();
    }

    @Override
    public Optional<Release> update(Release r, String leaseHolder, Transition transition) {
        Release next = r.withVersion(r.version() + 1, clock.instant());
        String sql = "update release set doc = ?::jsonb, state = ?, version = ?, updated_at = now() where id = ? and version = ?"
                + (leaseHolder == null ? "" : " and lease_holder = ? and lease_until > now()");
        List<Object> params = new java.util.ArrayList<>(List.of(json.writeValueAsString(next), next.state().name(), next.version(),
                r.id(), r.version()));
        if (leaseHolder != null) {
            params.add(leaseHolder);
        }
        if (transition != null) {
            // one statement: the history entry exists exactly when the change does
            sql = "with changed as (" + sql + " returning id) " + INSERT_EVENT;
            params.addAll(eventParams(next, transition));
        }
        if (db.sql(sql).params(params).update() != 1) {
            return Optional.empty();
        }
        if (transition != null) {
            hub.poke(); // streams of this instance see the new history entry at once
        }
        return Optional.of(next);
    }

    /** Inserts a history entry for the row returned by the preceding {@code changed} CTE (none when it returned nothing). */
    private static final String INSERT_EVENT = "insert into release_event (release_id, at, actor, type, from_state, to_state, step, target, reason)"
            + " select id, ?::timestamptz, ?::text, ?::text, ?::text, ?::text, ?::integer, ?::integer, ?::text from changed";

    private List<Object> eventParams(Release r, Transition t) {
        return java.util.Arrays.asList(Timestamp.from(clock.instant()), t.actor(), t.type(), t.from() == null ? null : t.from().name(),
                r.state().name(), r.step(), r.target(), t.reason());
    }

    @Override
    public List<Event> events(String releaseId, long afterId) {
        return db.sql("select * from release_event where release_id = ? and id > ? order by id")
                .params(releaseId, afterId)
                .query((rs, n) -> new Event(rs.getLong("id"), rs.getString("release_id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("actor"), rs.getString("type"),
                        rs.getString("from_state") == null ? null : ReleaseState.valueOf(rs.getString("from_state")),
                        ReleaseState.valueOf(rs.getString("to_state")), rs.getInt("step"), rs.getInt("target"), rs.getString("reason")))
                .list();
    }

    @Override
    public void requestTotal(String releaseId, String pool, int total, boolean up, String actor, String reason, Instant at) {
        Timestamp t = Timestamp.from(at);
        db.sql("insert into release_total_request (release_id, pool, total, actor, reason, requested_at, last_up_at, last_down_at)"
                        + " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (release_id, pool) do update set total = excluded.total,"
                        + " actor = excluded.actor, reason = excluded.reason, requested_at = excluded.requested_at,"
                        + " last_up_at = coalesce(excluded.last_up_at, release_total_request.last_up_at),"
                        + " last_down_at = coalesce(excluded.last_down_at, release_total_request.last_down_at)")
                .params(releaseId, pool, total, actor, reason, t, up ? t : null, up ? null : t).update();
    }

    @Override
    public Map<String, Map<String, TotalRequest>> totalRequests() {
        Map<String, Map<String, TotalRequest>> out = new java.util.HashMap<>();
        db.sql("select q.* from release_total_request q join release r on r.id = q.release_id where r.state in " + ACTIVE)
                .query((rs, n) -> new TotalRequest(rs.getString("release_id"), rs.getString("pool"), rs.getInt("total"),
                        rs.getString("actor"), rs.getString("reason"), rs.getTimestamp("requested_at").toInstant(),
                        instant(rs.getTimestamp("last_up_at")), instant(rs.getTimestamp("last_down_at"))))
                .list().forEach(q -> out.computeIfAbsent(q.releaseId(), k -> new java.util.HashMap<>()).put(q.pool(), q));
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Heartbeat, renew what this instance holds, then claim free or expired releases up to its fair share
     * (active releases / live executors, rounded up). Holding more than the share (an instance joined), it lets go
     * of the surplus, releases waiting at a gate first, for the others to claim: the work spreads like the event
     * units. Claims skip rows another instance is claiming at the same moment.
     */
    @Override
    @org.springframework.transaction.annotation.Transactional
    public List<Release> claim(String holder, Duration lease, Instant now) {
        double secs = lease.toMillis() / 1000.0;
        db.sql("insert into release_member (instance, seen_until) values (?, now() + make_interval(secs => ?))"
                + " on conflict (instance) do update set seen_until = excluded.seen_until").params(holder, secs).update();
        int members = Math.max(1, db.sql("select count(*) from release_member where seen_until > now()").query(Integer.class).single());
        int active = db.sql("select count(*) from release where state in " + ACTIVE).query(Integer.class).single();
        int share = (active + members - 1) / members;
        List<Release> held = new java.util.ArrayList<>(db.sql("update release set lease_until = now() + make_interval(secs => ?)"
                        + " where state in " + ACTIVE + " and lease_holder = ? and lease_until > now() returning doc")
                .params(secs, holder).query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).list());
        if (held.size() > share && members > 1) {
            held.sort(java.util.Comparator.comparing((Release r) -> r.state() == ReleaseState.RUNNING || r.state() == ReleaseState.ROLLING_BACK)
                    .thenComparing(Release::id));
            List<Release> surplus = held.subList(0, held.size() - share);
            for (Release r : surplus) {
                db.sql("update release set lease_holder = null, lease_until = null where id = ? and lease_holder = ?")
                        .params(r.id(), holder).update();
            }
            surplus.clear();
        } else if (held.size() < share) {
            held.addAll(db.sql("update release set lease_holder = ?, lease_until = now() + make_interval(secs => ?) where id in ("
                            + "select id from release where state in " + ACTIVE + " and (lease_holder is null or lease_until < now())"
                            + " order by created_at limit ? for update skip locked) returning doc")
                    .params(holder, secs, share - held.size())
                    .query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).list());
        }
        return held;
    }

    @Override
    public void release(String holder) {
        db.sql("update release set lease_holder = null, lease_until = null where lease_holder = ?").param(holder).update();
        db.sql("delete from release_member where instance = ?").param(holder).update();
    }
}
