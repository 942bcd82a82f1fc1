package io.noah.cluster.watch;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for retries against an API server: the pause doubles from
 * {@code initialMs} up to {@code maxMs}, each one drawn between 80 % and 100 % of its step (so many
 * feeds failing together do not retry together), and starts over after {@link #reset()}.
 */
public final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private long step;

    public Backoff(long initialMs, long maxMs) {
        if (initialMs <= 0 || maxMs < initialMs) {
            throw new IllegalArgumentException("0 < initialMs <= maxMs, got " + initialMs + ", " + maxMs);
        }
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.step = initialMs;
    }

    /** The pause before the next attempt. */
    public synchronized long next() {
        long s = step;
        step = Math.min(maxMs, step * 2);
        return s - ThreadLocalRandom.current().nextLong(s / 5 + 1);
    }

    /** The last attempt succeeded: the next failure pauses {@code initialMs} again. */
    public synchronized void reset() {
        step = initialMs;
    }
}
