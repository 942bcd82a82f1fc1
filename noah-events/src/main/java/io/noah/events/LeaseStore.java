package io.noah.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Leases and membership for the publishers (PostgreSQL in the server: leases must outlive any one
 * member cluster, see docs/decisions.md). Every lease carries an epoch, bumped on each acquisition.
 * Time is judged by the store's clock, never by the instances'.
 */
public interface LeaseStore {

    /** Takes the lease if it is free or expired; its new epoch, or empty when someone else holds it. */
    OptionalLong acquire(String name, String holder, Duration lease);

    /** Extends a held lease; false when it was lost (expired and taken, or released). */
    boolean renew(String name, String holder, long epoch, Duration lease);

    /** Gives a held lease up at once (graceful hand-over). */
    void release(String name, String holder, long epoch);

    /**
     * Deletes a held lease: its unit was retired (its removal is in Kafka), so nothing is left to hand
     * over. A lease that stays (released or expired) for a unit no longer registered marks a removal
     * still to publish.
     */
    void forget(String name, String holder, long epoch);

    /** Marks this instance alive until now + ttl. */
    void heartbeat(String instance, Duration ttl);

    /** Forgets this instance (graceful shutdown). */
    void leave(String instance);

    /** Instances alive now. */
    int liveMembers();

    /** Current leases whose name starts with the prefix. */
    List<Lease> leases(String prefix);

    record Lease(String name, String holder, long epoch, Instant until, boolean live) {
    }
}
