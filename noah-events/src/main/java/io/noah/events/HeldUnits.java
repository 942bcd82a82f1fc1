package io.noah.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.noah.cluster.health.Loops;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The units of work this instance holds a lease on, each with its publisher: started when a lease is acquired,
 * stopped off the lease loop (a flush or a retirement waits on Kafka for seconds while the other leases must be
 * renewed), the lease released, or forgotten once a removal is in Kafka.
 */
final class HeldUnits {

    private static final Logger log = LoggerFactory.getLogger(HeldUnits.class);

    /** One held unit. {@code leftOver}: it only publishes the removal an earlier holder left undone. */
    static final class Unit {
        final String work;
        final Object target;
        final long epoch;
        final boolean leftOver;
        volatile long validUntilNanos;
        UnitPublisher publisher;
        final PublisherMetrics metrics;
        final List<Meter> gauges = new ArrayList<>();

        Unit(String work, long epoch, long validUntilNanos, Object target, boolean leftOver, PublisherMetrics metrics) {
            this.work = work;
            this.epoch = epoch;
            this.validUntilNanos = validUntilNanos;
            this.target = target;
            this.leftOver = leftOver;
            this.metrics = metrics;
        }

        boolean valid() {
            return System.nanoTime() - validUntilNanos < 0;
        }

        boolean alive() {
            return publisher != null && publisher.alive();
        }

        String state() {
            return publisher != null ? publisher.state().name() : "STARTING";
        }

        /** Whether the cluster this unit publishes has another connection or IDC than {@code now}. */
        boolean changed(ClusterHandle now) {
            return target != now || publisher instanceof ClusterPublisher c && !c.idc().equals(now.spec().idc());
        }
    }

    private final ClusterRegistry registry;
    private final LeaseStore leases;
    private final EventsSettings settings;
    private final String appLabel;
    private final MeterRegistry meters;
    private final Loops loops;
    private final Map<String, Unit> held = new ConcurrentHashMap<>();
    private final ExecutorService stopper = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("noah-events-stop-", 0).daemon().factory());
    /** Publishers being stopped (flushing, retiring) with their lease released or forgotten after. */
    private final Set<CompletableFuture<Void>> stopping = ConcurrentHashMap.newKeySet();

    HeldUnits(ClusterRegistry registry, LeaseStore leases, EventsSettings settings, String appLabel, MeterRegistry meters, Loops loops) {
        this.registry = registry;
        this.leases = leases;
        this.settings = settings;
        this.appLabel = appLabel;
        this.meters = meters;
        this.loops = loops;
    }

    Unit get(String work) {
        return held.get(work);
    }

    Collection<Unit> all() {
        return held.values();
    }

    Set<String> works() {
        return held.keySet();
    }

    /** Starts the unit's publisher under a just-acquired lease. */
    void begin(String work, long epoch, long validUntil, Object target, boolean leftOver, StateSnapshot snapshot) {
        Unit u = new Unit(work, epoch, validUntil, target, leftOver, PublisherMetrics.of(meters, work));
        if (leftOver) {
            u.publisher = work.startsWith("cluster.")
                    ? ClusterPublisher.retiring(work.substring("cluster.".length()), settings, epoch, u::valid, u.metrics, snapshot)
                    : AlertPublisher.retiring(work.substring("alerts.".length()), settings, epoch, u::valid, u.metrics);
        } else if (target instanceof ClusterHandle h) {
            ClusterPublisher c = new ClusterPublisher(h, settings, appLabel, epoch, u::valid, u.metrics, snapshot); // it checks freshness
            if (meters != null) {
                u.gauges.add(Gauge.builder("noah.events.buffer", c, ClusterPublisher::buffered)
                        .description("watch events waiting for Kafka").tag("cluster", h.name()).register(meters));
            }
            u.publisher = c;
        } else {
            u.publisher = new AlertPublisher((String) target, registry, settings, epoch, u::valid, u.metrics);
        }
        u.publisher.start();
        if (meters != null) {
            u.gauges.add(Gauge.builder("noah.events.lease.held", () -> 1).description("1 for each unit of work this instance leads")
                    .tag("work", work).tag("instance", settings.instanceId()).register(meters));
        }
        held.put(work, u);
        log.info("{}: lease acquired (epoch {}), {}", work, epoch, leftOver ? "publishing its removal" : "publishing");
    }

    /**
     * Graceful: publish what is buffered (lease still held), then give the lease up for the next holder. Retiring
     * (the cluster or IDC is gone from Noah) also publishes the unit's removal, and the lease is forgotten once it is in
     * Kafka. The lease stays live (never renewed again) until this ends, so no one takes it early.
     */
    void stop(Unit u, boolean retire) {
        held.remove(u.work);
        unregister(u);
        long budget = Math.max(0, Math.min(3000, (u.validUntilNanos - System.nanoTime()) / 1_000_000 - 500));
        background(u, () -> {
            u.publisher.stop(new UnitPublisher.StopRequest(retire ? UnitPublisher.StopRequest.Kind.RETIRE
                    : UnitPublisher.StopRequest.Kind.FLUSH, budget));
            if ((retire || u.leftOver) && u.publisher.retired()) {
                loops.forget("events." + u.work);
                leases.forget(settings.leaseName(u.work), settings.instanceId(), u.epoch); // its removal is in Kafka
            } else {
                leases.release(settings.leaseName(u.work), settings.instanceId(), u.epoch);
            }
        });
    }

    /** The lease is gone: stop at once, publish nothing more (tests without the local lease check flush instead). */
    void stopLost(Unit u) {
        held.remove(u.work);
        u.validUntilNanos = System.nanoTime() - 1;
        unregister(u);
        background(u, () -> u.publisher.stop(new UnitPublisher.StopRequest(settings.localLeaseCheck()
                ? UnitPublisher.StopRequest.Kind.NOW : UnitPublisher.StopRequest.Kind.FLUSH, 2000)));
    }

    /** Every unit at once (shutdown), waiting up to 15 s for them. */
    void stopAll() {
        new ArrayList<>(held.values()).forEach(u -> stop(u, false));
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("event publishers not all stopped: {}", e.toString());
        }
        stopper.shutdown();
    }

    private void background(Unit u, Runnable stop) {
        CompletableFuture<Void> f = CompletableFuture.runAsync(stop, stopper).exceptionally(e -> {
            log.error("{}: stopping its publisher failed", u.work, e);
            return null;
        });
        stopping.add(f);
        f.whenComplete((x, e) -> stopping.remove(f));
    }

    private void unregister(Unit u) {
        if (meters != null) {
            u.gauges.forEach(meters::remove); // counters and the latency histogram stay: they count across leases
        }
    }
}
