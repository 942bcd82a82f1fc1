package io.noah.api.lifecycle;

import io.noah.api.audit.AuditService;
import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.PodIsolation;
import io.noah.cluster.ops.PodTraffic;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle helpers' background work, every {@code interval} on every reachable cluster: the gate keeper
 * (pods created with the {@code noah.io/in-traffic} readiness gate get its condition True, unless Noah took them out
 * of traffic) and the expiry of isolated pods (deleted, audited as Noah's). Idempotent, so every instance may run it:
 * two instances admit a pod the same way, and of two deleting an expired pod one finds it gone.
 */
public final class LifecycleLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LifecycleLoop.class);
    public static final String ACTOR = "noah:lifecycle";

    private final ClusterRegistry registry;
    private final PodTraffic traffic;
    private final PodIsolation isolation;
    private final AuditService audit;
    private final Clock clock;
    private final boolean gateKeeper;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-lifecycle").daemon().factory());

    public LifecycleLoop(ClusterRegistry registry, PodTraffic traffic, PodIsolation isolation, AuditService audit, Clock clock,
                         boolean gateKeeper, Duration interval, Loops loops) {
        this.registry = registry;
        this.traffic = traffic;
        this.isolation = isolation;
        this.audit = audit;
        this.clock = clock;
        this.gateKeeper = gateKeeper;
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(loops.guard("lifecycle", this::run), ms, ms, TimeUnit.MILLISECONDS);
    }

    void run() {
        RuntimeException first = null;
        for (ClusterHandle h : registry.all()) {
            if (!h.health().reachable() || !h.cache().synced()) {
                continue;
            }
            try {
                once(h);
            } catch (RuntimeException e) {
                // one cluster failing does not hold the others; the loop reports it in health
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void once(ClusterHandle h) {
        if (gateKeeper) {
            int admitted = traffic.admitNew(h);
            if (admitted > 0) {
                log.info("gate keeper: set {} True on {} new pods in {}", PodTraffic.GATE, admitted, h.name());
            }
        }
        for (PodIsolation.Isolated i : isolation.expired(h, clock.instant())) {
            boolean deleted = isolation.delete(i.cluster(), i.namespace(), i.pod());
            if (deleted) {
                audit.record(ACTOR, "DELETE /api/v1/isolated-pods/{cluster}/{namespace}/{pod}", "DELETE",
                        "/api/v1/isolated-pods/" + i.cluster() + "/" + i.namespace() + "/" + i.pod(), 204, "isolation expired at " + i.expiresAt());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
