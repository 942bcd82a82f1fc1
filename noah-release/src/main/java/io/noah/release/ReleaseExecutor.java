package io.noah.release;

import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Executes the active releases this instance holds a lease on (a lease per release in PostgreSQL,
 * so with several Noah instances exactly one executes a release and a crashed one's releases are
 * taken over when its leases expire). Every tick (every 2 s, and at once after a gate action or a
 * change of a Deployment while it holds releases): renew/claim leases, reconcile each release once,
 * store the result only if the release is unchanged and the lease still held.
 */
public final class ReleaseExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReleaseExecutor.class);

    private final ReleaseStore store;
    private final ReleaseReconciler reconciler;
    private final Clock clock;
    private final String instanceId;
    private final Duration lease;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-release-executor").daemon().factory());

    private final Runnable guardedTick;

    public ReleaseExecutor(ReleaseStore store, ReleaseReconciler reconciler, Clock clock, String instanceId, Duration lease,
                           Duration tick, Loops loops) {
        this.guardedTick = loops.guard("release-executor", this::tick);
        this.store = store;
        this.reconciler = reconciler;
        this.clock = clock;
        this.instanceId = instanceId;
        this.lease = lease;
        loop.scheduleWithFixedDelay(guardedTick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Runs a tick soon (after a gate action, or when a Deployment changed) instead of waiting for the
     * next one; wakes that arrive while one is pending are coalesced into it.
     */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    woken.set(false);
                    guardedTick.run();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                woken.set(false); // shutting down
            }
        }
    }

    public String instanceId() {
        return instanceId;
    }

    private volatile boolean holdsReleases;

    /** A Deployment changed somewhere: worth a tick only while this instance executes releases. */
    public void kubernetesChanged() {
        if (holdsReleases) {
            wake();
        }
    }

    /** One release failing unexpectedly does not hold the others: each is stepped, then the first failure is reported. */
    private void tick() {
        var claimed = store.claim(instanceId, lease, clock.instant());
        holdsReleases = !claimed.isEmpty();
        RuntimeException first = null;
        var requests = claimed.isEmpty() ? java.util.Map.<String, java.util.Map<String, ReleaseStore.TotalRequest>>of() : store.totalRequests();
        for (Release r : claimed) {
            try {
                step(resize(r, requests.getOrDefault(r.id(), java.util.Map.of())));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = new IllegalStateException("release " + r.id() + " of " + r.spec().app() + ": " + e, e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Applies the totals an autoscaler asked (ReleaseOwners) to the plan, in the plan's shares, recorded in the release's
     * history; the reconcile that follows scales to them. Returns the release to step (null: it changed meanwhile).
     */
    private Release resize(Release r, java.util.Map<String, ReleaseStore.TotalRequest> asked) {
        if (asked.isEmpty() || !ReleaseOwners.takesTotals(r)) {
            return r;
        }
        java.util.Map<String, Integer> totals = new java.util.HashMap<>();
        asked.forEach((pool, q) -> totals.put(pool, q.total()));
        Release resized = r.resized(totals);
        if (resized == r) {
            return r;
        }
        StringBuilder what = new StringBuilder();
        String actor = null;
        for (String pool : r.plan().pools()) {
            int before = r.plan().totals().get(pool);
            int after = resized.plan().totals().get(pool);
            if (before != after || !r.plan().equals(resized.plan()) && asked.containsKey(pool)) {
                var q = asked.get(pool);
                actor = q == null ? actor : q.actor();
                what.append(what.isEmpty() ? "" : "; ").append("pool ").append(pool).append(": ").append(before).append(" → ").append(after)
                        .append(" (canary ").append(resized.plan().canary(r.step(), pool)).append(" at batch ").append(r.step()).append(')')
                        .append(q == null || q.total() == after ? "" : ", " + q.total() + " asked")
                        .append(q == null || q.reason() == null ? "" : ": " + q.reason());
            }
        }
        var stored = store.update(resized, instanceId, new ReleaseStore.Transition(actor == null ? "autoscaler" : actor, "resized",
                r.state(), what.toString()));
        if (stored.isPresent()) {
            log.info("release {} of {} resized: {}", r.id(), r.spec().app(), what);
        }
        return stored.orElse(null);
    }

    private void step(Release r) {
        if (r == null) {
            return; // changed since it was claimed: the next tick reads it again
        }
        try (var a = MDC.putCloseable("release", r.id()); var b = MDC.putCloseable("name", r.spec().app())) {
            ReleaseReconciler.Result res;
            try {
                res = reconciler.reconcile(r, clock.instant());
            } catch (NoahException e) {
                // a cluster that does not answer: wait for it (the batch deadline still applies)
                log.info("release {} of {} waits: {}", r.id(), r.spec().app(), e.getMessage());
                return;
            }
            schedule(r.id(), res.outcome());
            if (res.release().equals(r)) {
                return;
            }
            var stored = store.update(res.release(), instanceId, res.event() == null ? null
                    : new ReleaseStore.Transition("noah@" + instanceId, res.event(), r.state(), res.release().reason()));
            if (stored.isPresent() && res.event() != null) {
                log.info("release {} of {}: {} ({} → {}, step {}/{})", r.id(), r.spec().app(), res.event(), r.state(),
                        stored.get().state(), stored.get().step(), r.plan().lastStep());
            }
        }
    }

    /** Release id → the instant a wake is scheduled for (one per release and instant, however many ticks ask). */
    private final java.util.Map<String, java.time.Instant> timers = new java.util.concurrent.ConcurrentHashMap<>();

    /** The outcome decides when the release is reconciled again: now, at a time, or on the next tick or change. */
    private void schedule(String id, Outcome outcome) {
        switch (outcome) {
            case Outcome.Advanced a -> wake();
            case Outcome.Waiting w when w.until() != null -> {
                if (!w.until().equals(timers.put(id, w.until()))) {
                    long ms = Math.max(0, Duration.between(clock.instant(), w.until()).toMillis());
                    try {
                        loop.schedule(() -> {
                            timers.remove(id, w.until());
                            wake();
                        }, ms, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        timers.remove(id); // shutting down
                    }
                }
            }
            default -> timers.remove(id);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.release(instanceId);
    }
}
