package io.noah.hpa;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where autoscaler policies and their decisions live (PostgreSQL in noah-api). */
public interface AutoscalerStore {

    /** Stores a new policy; 409 (conflict) when the app in that namespace already has one. */
    void insert(Autoscaler a);

    Optional<Autoscaler> get(String id);

    List<Autoscaler> list(String namespace, String app, int limit);

    /** Replaces the policy if its version is still {@code a.version()}; the stored one with the next version, or empty. */
    Optional<Autoscaler> update(Autoscaler a);

    /** Deletes the policy and its decisions; false when there was none. */
    boolean delete(String id);

    /**
     * Heartbeats this instance, renews its leases and takes free or expired policies up to its fair share (policies /
     * live instances); returns the policies it holds now, each in its stored version.
     */
    List<Autoscaler> claim(String holder, Duration lease, Instant now);

    /** Gives up this instance's leases (graceful shutdown). */
    void release(String holder);

    /**
     * Records decisions of policies {@code holder} still holds: an entry with id 0 is appended, one with an id extends
     * that record (its {@code repeats} and {@code lastAt}). Returns the record ids in order (0 where the lease was lost).
     */
    default long[] record(String holder, List<DecisionRecord> decisions) {
        return record(holder, decisions, new boolean[decisions.size()]);
    }

    /**
     * As {@link #record(String, List)}; where {@code keepDetail[i]} is set, an extended record keeps the detail it has
     * (its counts, {@code repeats} and {@code lastAt} are still written): a steady decision's inputs are not rewritten
     * every tick.
     */
    long[] record(String holder, List<DecisionRecord> decisions, boolean[] keepDetail);

    /** A policy's decisions, newest first, before {@code beforeId} (null: from the newest), optionally of one pool. */
    List<DecisionRecord> decisions(String autoscalerId, String pool, Long beforeId, int limit);

    /** Deletes decisions last seen before {@code before}; returns how many. */
    int prune(Instant before);
}
