package io.noah.release;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where releases and their history live (PostgreSQL in noah-api). */
public interface ReleaseStore {

    /** One entry of a release's history. */
    record Event(long id, String releaseId, Instant at, String actor, String type, ReleaseState from, ReleaseState to,
                 int step, int target, String reason) {
    }

    /** A history entry, written in the same statement as the change it records. */
    record Transition(String actor, String type, ReleaseState from, String reason) {
    }

    /** Inserts a new release with its first history entry; 409 (conflict) when the app already has an active one. */
    void insert(Release r, Transition created);

    Optional<Release> get(String id);

    List<Release> list(String app, ReleaseState state, int limit);

    /** The active releases (running, waiting, paused, rolling back): the apps whose replica counts releases own now. */
    List<Release> active();

    /**
     * Replaces the release if its version is still {@code r.version()} (and, with {@code leaseHolder},
     * if that instance still holds its lease); returns the stored release with the next version,
     * or empty when someone else changed it first. A {@code transition} (may be null) is recorded in
     * the release's history atomically with the change: whoever sees the new state sees its entry.
     */
    Optional<Release> update(Release r, String leaseHolder, Transition transition);

    List<Event> events(String releaseId, long afterId);

    /** An autoscaler's wish for the app's total in one pool of a release (see {@link ReleaseOwners}). */
    record TotalRequest(String releaseId, String pool, int total, String actor, String reason, Instant at, Instant lastUp,
                        Instant lastDown) {
    }

    /** Records (replaces) the total asked for a pool of an active release; {@code up}: it grows (for the cooldowns). */
    void requestTotal(String releaseId, String pool, int total, boolean up, String actor, String reason, Instant at);

    /** The totals asked of the active releases, by release id and pool. */
    java.util.Map<String, java.util.Map<String, TotalRequest>> totalRequests();

    /**
     * Heartbeats this instance, renews the leases it holds and takes free ones up to its fair share of the active
     * releases (active / live instances); returns the releases it holds now.
     */
    List<Release> claim(String holder, Duration lease, Instant now);

    /** Gives up this instance's leases (graceful shutdown). */
    void release(String holder);
}
