package io.noah.api.events;

import io.noah.events.LeaseStore;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/** Publisher leases in PostgreSQL, judged by the database's clock (see docs/decisions.md). */
public class JdbcLeaseStore implements LeaseStore {

    private final JdbcClient db;

    public JdbcLeaseStore(JdbcClient db) {
        this.db = db;
    }

    @Override
    public OptionalLong acquire(String name, String holder, Duration lease) {
        List<Long> epoch = db.sql("""
                        insert into event_lease (name, holder, epoch, lease_until)
                        values (:name, :holder, 1, now() + make_interval(secs => :secs))
                        on conflict (name) do update set holder = excluded.holder, epoch = event_lease.epoch + 1,
                            lease_until = excluded.lease_until
                        where event_lease.lease_until < now()
                        returning epoch""")
                .param("name", name).param("holder", holder).param("secs", lease.toMillis() / 1000.0)
                .query(Long.class).list();
        return epoch.isEmpty() ? OptionalLong.empty() : OptionalLong.of(epoch.getFirst());
    }

    @Override
    public boolean renew(String name, String holder, long epoch, Duration lease) {
        return db.sql("update event_lease set lease_until = now() + make_interval(secs => :secs)"
                        + " where name = :name and holder = :holder and epoch = :epoch and lease_until > now()")
                .param("secs", lease.toMillis() / 1000.0).param("name", name).param("holder", holder).param("epoch", epoch)
                .update() == 1;
    }

    @Override
    public void release(String name, String holder, long epoch) {
        db.sql("update event_lease set lease_until = now() - interval '1 millisecond' where name = ? and holder = ? and epoch = ?")
                .params(name, holder, epoch).update();
    }

    @Override
    public void forget(String name, String holder, long epoch) {
        db.sql("delete from event_lease where name = ? and holder = ? and epoch = ?").params(name, holder, epoch).update();
    }

    @Override
    public void heartbeat(String instance, Duration ttl) {
        db.sql("""
                        insert into event_member (instance, seen_until) values (:i, now() + make_interval(secs => :secs))
                        on conflict (instance) do update set seen_until = excluded.seen_until""")
                .param("i", instance).param("secs", ttl.toMillis() / 1000.0).update();
    }

    @Override
    public void leave(String instance) {
        db.sql("delete from event_member where instance = ?").param(instance).update();
    }

    @Override
    public int liveMembers() {
        return db.sql("select count(*) from event_member where seen_until > now()").query(Integer.class).single();
    }

    @Override
    public List<Lease> leases(String prefix) {
        return db.sql("select name, holder, epoch, lease_until, lease_until > now() as live from event_lease where starts_with(name, ?)"
                        + " order by name")
                .param(prefix)
                .query((rs, n) -> new Lease(rs.getString("name"), rs.getString("holder"), rs.getLong("epoch"),
                        rs.getTimestamp("lease_until").toInstant(), rs.getBoolean("live")))
                .list();
    }
}
