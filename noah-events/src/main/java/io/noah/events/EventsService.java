package io.noah.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.noah.cluster.health.Loops;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the publishers this instance holds leases for. Units of work: one per cluster (its pods,
 * Deployments and nodes) and one per IDC (its IP-conflict alerts). Every poll it renews what it holds,
 * stops what it lost (never the process), and claims free units up to its fair share
 * (units / live instances), handing surplus units over gracefully when instances join, so the watch
 * work spreads over the instances; alone, an instance holds everything.
 */
public final class EventsService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventsService.class);

    /** A unit of work as this instance sees it. */
    public record PublisherStatus(String work, String holder, long epoch, boolean leaseLive, Instant leaseUntil,
                                  String localState, Integer buffered, String lastError, Instant lastPublishedAt) {
    }

    private final ClusterRegistry registry;
    private final LeaseStore leases;
    private final EventsSettings settings;
    private final HeldUnits units;
    private final LeasePlanner planner;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-events-leases").daemon().factory());
    private volatile boolean topicsReady;
    private boolean warm;
    private final long joinDeadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    private volatile StateSnapshot snapshot;
    private volatile boolean closed;

    private final Loops loops;

    public EventsService(ClusterRegistry registry, LeaseStore leases, EventsSettings settings, String appLabel, MeterRegistry meters,
                         Loops loops) {
        this.loops = loops;
        this.planner = new LeasePlanner(settings.instanceId());
        this.units = new HeldUnits(registry, leases, settings, appLabel, meters, loops);
        this.registry = registry;
        this.leases = leases;
        this.settings = settings;
    }

    /**
     * Creates the topics in the background at once (the lease loop starts only once the clusters are registered;
     * the topics, a second or two of Kafka admin calls, are ready by then). A failure is retried by the loop.
     */
    public void prepare() {
        loop.execute(() -> {
            try {
                if (!topicsReady && !closed) {
                    TopicAdmin.ensure(settings);
                    topicsReady = true;
                }
            } catch (Throwable t) { // NOPMD: the lease loop tries again (guarded: logged with its stack trace, in health)
                log.info("event topics not ready yet ({}); the lease loop tries again", t.toString());
            }
        });
    }

    public void start() {
        loop.scheduleWithFixedDelay(loops.guard("events-lease-loop", this::tick), 0, settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        log.info("event publisher {} started: Kafka {}, topics {}, lease {}", settings.instanceId(), settings.bootstrapServers(),
                settings.topics(), settings.lease());
    }

    public EventsSettings settings() {
        return settings;
    }

    private void tick() {
        if (closed) {
            return;
        }
        if (!topicsReady) {
            TopicAdmin.ensure(settings);
            topicsReady = true;
        }
        if (!warm) {
            // joining others (alone, there is nothing to wait for): not before this instance's own caches have
            // listed (a cold instance is busy for seconds) and it read the state topics once
            if (leases.liveMembers() > 0) {
                if (!registry.all().stream().allMatch(h -> h.cache().synced()) && System.nanoTime() - joinDeadlineNanos < 0) {
                    return;
                }
                warmUp();
            }
            warm = true;
        }
        if (snapshot != null && !snapshot.fresh()) {
            snapshot = null;
        }
        leases.heartbeat(settings.instanceId(), settings.lease());
        Map<String, Object> wanted = wanted();
        List<LeasePlanner.Held> observed = new ArrayList<>();
        for (HeldUnits.Unit u : units.all()) {
            Object target = wanted.get(u.work);
            boolean changed = !u.leftOver && target instanceof ClusterHandle h && u.changed(h);
            observed.add(new LeasePlanner.Held(u.work, u.leftOver, target != null, changed, u.alive(), "PUBLISHING".equals(u.state())));
        }
        for (LeasePlanner.Action a : planner.held(observed)) {
            HeldUnits.Unit u = units.get(a.work());
            switch (a) {
                case LeasePlanner.Stop s -> {
                    log.info("{}: {}", u.work, s.why());
                    units.stop(u, s.retire());
                }
                case LeasePlanner.Ended e -> {
                    Throwable crash = u.publisher.crash();
                    if (crash != null) {
                        loops.failed("events." + u.work, crash); // logged with its stack trace, shown in health
                    }
                    log.warn("{}: publisher ended ({}), giving the lease up", u.work, u.state());
                    units.stop(u, false);
                }
                case LeasePlanner.Renew r -> renew(u, r.publishing());
            }
        }
        List<String> regular = units.all().stream().filter(u -> !u.leftOver).map(u -> u.work).toList();
        switch (planner.share(new ArrayList<>(wanted.keySet()), units.works(), regular, leases.liveMembers()).orElse(null)) {
            case LeasePlanner.Acquire acq -> {
                int got = 0;
                for (String work : acq.order()) {
                    if (got >= acq.needed() || closed) {
                        break;
                    }
                    long t0 = System.nanoTime();
                    OptionalLong epoch = leases.acquire(settings.leaseName(work), settings.instanceId(), settings.lease());
                    if (epoch.isPresent()) {
                        units.begin(work, epoch.getAsLong(), t0 + settings.lease().toNanos() * 9 / 10, wanted.get(work), false, snapshot);
                        got++;
                    }
                }
            }
            case LeasePlanner.HandOver h -> {
                log.info("{}: {} instances now, handing this unit over (holding {}, fair share {})", h.work(), h.members(), h.holding(), h.share());
                units.stop(units.get(h.work()), false);
            }
            case null -> {
            }
        }
        leftOvers(wanted);
    }

    private void renew(HeldUnits.Unit u, boolean publishing) {
        if (publishing) {
            loops.succeeded("events." + u.work);
        }
        long t0 = System.nanoTime();
        if (leases.renew(settings.leaseName(u.work), settings.instanceId(), u.epoch, settings.lease())) {
            u.validUntilNanos = t0 + settings.lease().toNanos() * 9 / 10;
        } else {
            log.warn("{}: lease lost (epoch {}), publisher stopped", u.work, u.epoch);
            units.stopLost(u);
        }
    }

    /** Units of work that should run now: one per registered cluster, one per IDC. */
    private Map<String, Object> wanted() {
        Map<String, Object> m = new TreeMap<>();
        for (ClusterHandle h : registry.all()) {
            m.put("cluster." + h.name(), h);
            m.put("alerts." + h.spec().idc(), h.spec().idc());
        }
        return m;
    }

    /**
     * Units whose lease is kept although no instance registers them any more: their holder retired them while
     * Kafka was down, or died before. Once that has lasted two registry syncs (a unit just registered elsewhere
     * is not yet in this instance's registry), one instance takes the lease and publishes the removal from
     * what Kafka holds, then forgets the lease. Nothing else keeps a removal: the lease row is its record.
     */
    private void leftOvers(Map<String, Object> wanted) {
        String prefix = settings.leaseName("");
        long now = System.nanoTime();
        long grace = 2 * registry.settings().probeInterval().toNanos() + 2 * settings.poll().toNanos();
        for (String work : planner.leftOvers(leases.leases(prefix), prefix, wanted.keySet(), units.works(), now, grace)) {
            if (closed) {
                return;
            }
            OptionalLong epoch = leases.acquire(prefix + work, settings.instanceId(), settings.lease());
            if (epoch.isPresent()) {
                log.info("{}: no longer registered and its removal not yet published: publishing it", work);
                units.begin(work, epoch.getAsLong(), now + settings.lease().toNanos() * 9 / 10, null, true, snapshot);
            }
        }
    }

    /**
     * Before counting as a member (and so taking units over from instances already publishing), read
     * the state topics once: class loading, JIT and the broker's page cache then cost nothing during
     * the takeover itself, which is the publishing gap of a graceful hand-over.
     */
    private void warmUp() {
        try {
            long t0 = System.nanoTime();
            snapshot = StateSnapshot.read(settings, () -> closed);
            log.info("event publisher {}: warmed up before joining ({} ms)", settings.instanceId(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.info("event publisher {}: warm-up skipped ({})", settings.instanceId(), e.toString());
        }
    }

    /** Every unit of work: who holds it (from the lease store) and, where this instance does, how it goes. */
    public List<PublisherStatus> status() {
        Map<String, LeaseStore.Lease> byWork = new LinkedHashMap<>();
        String prefix = settings.leaseName("");
        for (LeaseStore.Lease l : leases.leases(prefix)) {
            byWork.put(l.name().substring(prefix.length()), l);
        }
        List<PublisherStatus> out = new ArrayList<>();
        Set<String> works = new java.util.TreeSet<>(wanted().keySet());
        Set<String> removed = new java.util.TreeSet<>(byWork.keySet());
        removed.removeAll(works);
        works.addAll(removed); // no longer registered, the lease kept: a removal still to publish
        for (String work : works) {
            LeaseStore.Lease l = byWork.get(work);
            HeldUnits.Unit u = units.get(work);
            String state = u == null ? removed.contains(work) ? "REMOVAL_PENDING" : "STANDBY"
                    : u.leftOver && !"DEGRADED".equals(u.state()) ? "REMOVING" : u.state();
            out.add(new PublisherStatus(work, l == null ? null : l.holder(), l == null ? 0 : l.epoch(), l != null && l.live(),
                    l == null ? null : l.until(), state, u == null ? null : u.publisher.buffered(),
                    u == null ? null : u.publisher.lastError(), u == null ? null : u.publisher.lastPublishedAt()));
        }
        return out;
    }

    /** True when a unit this instance leads cannot deliver to Kafka right now. */
    public boolean degraded() {
        return !topicsReady || units.all().stream().anyMatch(u -> "DEGRADED".equals(u.state()));
    }

    public boolean leads(String work) {
        return units.get(work) != null;
    }

    @Override
    public void close() {
        closed = true;
        loop.shutdown();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        units.stopAll();
        try {
            leases.leave(settings.instanceId());
        } catch (RuntimeException e) {
            log.debug("leaving: {}", e.toString());
        }
        log.info("event publisher {} stopped, leases released", settings.instanceId());
    }
}
