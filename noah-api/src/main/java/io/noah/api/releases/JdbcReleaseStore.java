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

    public JdbcReleaseStore(JdbcClient db, JsonMapper json, Clock clock) {
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
        return db.sql(sql).params(params).update() == 1 ? Optional.of(next) : Optional.empty();
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
    public List<Release> claim(String holder, Duration lease, Instant now) {
        return db.sql("update release set lease_holder = ?, lease_until = now() + make_interval(secs => ?) where state in " + ACTIVE
                        + " and (lease_holder is null or lease_holder = ? or lease_until < now()) returning doc")
                .params(holder, lease.toMillis() / 1000.0, holder)
                .query((rs, n) -> json.readValue(rs.getString("doc"), Release.class)).list();
    }

    @Override
    public void release(String holder) {
        db.sql("update release set lease_holder = null, lease_until = null where lease_holder = ?").param(holder).update();
    }
}
