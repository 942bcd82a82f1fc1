package io.noah.events;

import java.time.Instant;

/**
 * What runs for a unit of work this instance holds (a cluster's watch: {@link ClusterPublisher}; an IDC's alerts:
 * {@link AlertPublisher}), so the units share one lifecycle: started once, observed by the lease loop, stopped with
 * one {@link StopRequest}.
 */
interface UnitPublisher {

    /** How a publisher is asked to stop, and for how long it may take. */
    record StopRequest(Kind kind, long budgetMillis) {

        enum Kind {
            /** Graceful: publish what is buffered (the lease still held), then stop. */
            FLUSH,
            /** The unit is gone from Noah: publish what is buffered and its removal, then stop. */
            RETIRE,
            /** The lease is gone: stop at once, publish nothing more. */
            NOW
        }
    }

    void start();

    boolean alive();

    ClusterPublisher.State state();

    /** Whether its removal was published (after a {@code RETIRE}): the lease can then be forgotten. */
    boolean retired();

    /** What ended it unexpectedly, or null. */
    Throwable crash();

    String lastError();

    /** Blocks until stopped, for about the request's budget. */
    void stop(StopRequest request);

    /** Changes waiting for Kafka, where the publisher buffers. */
    default Integer buffered() {
        return null;
    }

    default Instant lastPublishedAt() {
        return null;
    }
}
