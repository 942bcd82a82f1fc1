package io.noah.api.releases;

import io.noah.api.config.NoahProperties;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;
import jakarta.annotation.PreDestroy;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes release event streams (server-sent events) when release history grows: one cheap query per
 * interval for all streams of this instance ({@code max(id)} of {@code release_event}), instead of
 * every stream polling the database; history written by this instance wakes them at once. At most
 * {@code noah.releases.max-event-streams} streams are open per instance; one more is refused with 429.
 */
@Component
public class ReleaseEventHub {

    private final JdbcClient db;
    private final Semaphore streams;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grown = lock.newCondition();
    private volatile long lastId;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-release-event-hub").daemon().factory());

    public ReleaseEventHub(JdbcClient db, NoahProperties props, Loops loops) {
        this.db = db;
        this.streams = new Semaphore(props.releases().maxEventStreams());
        long ms = props.releases().eventPoll().toMillis();
        poller.scheduleWithFixedDelay(loops.guard("release-event-hub", this::poll), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Takes a stream slot: 429 when this instance already serves the maximum. Give it back with {@link #close()}. */
    public void open() {
        if (!streams.tryAcquire()) {
            throw new NoahException(NoahException.Reason.TOO_MANY,
                    "this instance already serves its maximum of release event streams; close one or try again later");
        }
    }

    public void close() {
        streams.release();
    }

    /** Something was written here: check at once instead of at the next interval. */
    public void poke() {
        poller.execute(this::poll);
    }

    private void poll() {
        Long max = db.sql("select coalesce(max(id), 0) from release_event").query(Long.class).single();
        if (max > lastId) {
            lock.lock();
            try {
                lastId = max;
                grown.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until the history grew past {@code seen} (a value {@link #last()} returned) or the time is up. */
    public void awaitGrowth(long seen, Duration max) throws InterruptedException {
        long nanos = max.toNanos();
        lock.lock();
        try {
            while (lastId <= seen && nanos > 0) {
                nanos = grown.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    public long last() {
        return lastId;
    }

    @PreDestroy
    void stop() {
        poller.shutdownNow();
    }
}
