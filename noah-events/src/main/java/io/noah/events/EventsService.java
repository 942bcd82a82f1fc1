package io.noah.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.noah.cluster.health.Loops;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
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
    private final String appLabel;
    private final MeterRegistry meters;
    private final Map<String, Worker> held = new ConcurrentHashMap<>();
    private final Map<String, Integer> absent = new java.util.HashMap<>();
    /** Units no longer registered whose lease is still kept (their removal not yet published): since when seen so. */
    private final Map<String, Long> leftOverSince = new java.util.HashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-events-leases").daemon().factory());
    private final ExecutorService stopper = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("noah-events-stop-", 0).daemon().factory());
    /** Publishers being stopped (flushing, retiring) with their lease released or forgotten after. */
    private final Set<CompletableFuture<Void>> stopping = ConcurrentHashMap.newKeySet();
    private volatile boolean topicsReady;
    private boolean warm;
    private final long joinDeadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    private volatile StateSnapshot snapshot;
    private volatile boolean closed;

    private final class Worker {
        final String work;
        final Object target;
        final long epoch;
        /** Only publishes the removal an earlier holder left undone. */
        final boolean leftOver;
        volatile long validUntilNanos;
        ClusterPublisher cluster;
        AlertPublisher alerts;
        final PublisherMetrics metrics;
        final List<Meter> gauges = new ArrayList<>();

        Worker(String work, long epoch, long validUntilNanos, Object target, boolean leftOver) {
            this.leftOver = leftOver;
            this.target = target;
            this.work = work;
            this.epoch = epoch;
            this.validUntilNanos = validUntilNanos;
            this.metrics = PublisherMetrics.of(meters, work);
        }

        boolean valid() {
            return System.nanoTime() - validUntilNanos < 0;
        }

        boolean alive() {
            return cluster != null ? cluster.alive() : alerts != null && alerts.alive();
        }

        String state() {
            return cluster != null ? cluster.state().name() : alerts != null ? alerts.state().name() : "STARTING";
        }

        boolean retired() {
            return cluster != null ? cluster.retired() : alerts != null && alerts.retired();
        }

        Throwable crash() {
            return cluster != null ? cluster.crash() : alerts != null ? alerts.crash() : null;
        }
    }

    private final Loops loops;

    public EventsService(ClusterRegistry registry, LeaseStore leases, EventsSettings settings, String appLabel, MeterRegistry meters,
                         Loops loops) {
        this.loops = loops;
        this.registry = registry;
        this.leases = leases;
        this.settings = settings;
        this.appLabel = appLabel;
        this.meters = meters;
    }

    /**
     * Creates the topics in the background at once (the lease loop starts only once the clusters are registered;
     * the topics, a second or two of Kafka admin calls, are ready by then). A failure is retried by the loop.
     */
    public void prepare() {
        loop.execute(() -> {
            try {
                if (!topicsReady && !closed) {
                    ensureTopics();
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
            ensureTopics();
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
        absent.keySet().retainAll(held.keySet());
        for (Worker w : new ArrayList<>(held.values())) {
            Object target = wanted.get(w.work);
            if (w.leftOver) {
                if (!w.alive() || target != null) {
                    if (target != null) {
                        log.info("{}: registered again before its removal was published: publishing it as usual", w.work);
                    }
                    stop(w);
                    continue;
                }
            } else if (target == null) {
                // twice in a row: a registry update swaps a cluster's handle, and this loop may look in between
                if (absent.merge(w.work, 1, Integer::sum) >= 2) {
                    log.info("{}: no longer registered: publishing its removal, then stopping", w.work);
                    absent.remove(w.work);
                    stop(w, true);
                }
                continue;
            }
            absent.remove(w.work);
            if (!w.leftOver && target instanceof ClusterHandle h && (w.target != h || !w.cluster.idc().equals(h.spec().idc()))) {
                // new connection (e.g. rotated credentials: the old client is closed) or another IDC (in every
                // event): hand over to ourselves; the next round takes it again with the new handle
                log.info("{}: cluster connection or IDC changed, restarting its publisher", w.work);
                stop(w);
                continue;
            }
            long t0 = System.nanoTime();
            if (!w.alive()) {
                Throwable crash = w.crash();
                if (crash != null) {
                    loops.failed("events." + w.work, crash); // logged with its stack trace, shown in health
                }
                log.warn("{}: publisher ended ({}), giving the lease up", w.work, w.state());
                stop(w);
                continue;
            }
            if ("PUBLISHING".equals(w.state())) {
                loops.succeeded("events." + w.work);
            }
            if (leases.renew(settings.leaseName(w.work), settings.instanceId(), w.epoch, settings.lease())) {
                w.validUntilNanos = t0 + settings.lease().toNanos() * 9 / 10;
            } else {
                log.warn("{}: lease lost (epoch {}), publisher stopped", w.work, w.epoch);
                stopLost(w);
            }
        }
        int members = Math.max(1, leases.liveMembers());
        int share = (wanted.size() + members - 1) / members;
        int holding = (int) held.values().stream().filter(w -> !w.leftOver).count();
        if (holding < share) {
            List<String> order = new ArrayList<>(wanted.keySet());
            // start from a different unit on every instance, so they rarely race for the same one
            java.util.Collections.rotate(order, Math.floorMod(settings.instanceId().hashCode(), Math.max(1, order.size())));
            for (String work : order) {
                if (holding >= share || closed) {
                    break;
                }
                if (held.containsKey(work)) {
                    continue;
                }
                long t0 = System.nanoTime();
                OptionalLong epoch = leases.acquire(settings.leaseName(work), settings.instanceId(), settings.lease());
                if (epoch.isPresent()) {
                    begin(work, epoch.getAsLong(), t0 + settings.lease().toNanos() * 9 / 10, wanted.get(work), false);
                    holding++;
                }
            }
        } else if (holding > share && members > 1) {
            Worker w = held.values().stream().filter(x -> !x.leftOver).max(java.util.Comparator.comparing(x -> x.work)).orElseThrow();
            log.info("{}: {} instances now, handing this unit over (holding {}, fair share {})", w.work, members, holding, share);
            stop(w);
        }
        leftOvers(wanted);
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
        Set<String> seen = new java.util.HashSet<>();
        for (LeaseStore.Lease l : leases.leases(prefix)) {
            String work = l.name().substring(prefix.length());
            if (l.live() || wanted.containsKey(work) || held.containsKey(work) || !(work.startsWith("cluster.") || work.startsWith("alerts."))) {
                continue;
            }
            seen.add(work);
            long since = leftOverSince.computeIfAbsent(work, x -> now);
            if (now - since < grace || closed) {
                continue;
            }
            OptionalLong epoch = leases.acquire(l.name(), settings.instanceId(), settings.lease());
            if (epoch.isPresent()) {
                log.info("{}: no longer registered and its removal not yet published: publishing it", work);
                begin(work, epoch.getAsLong(), now + settings.lease().toNanos() * 9 / 10, null, true);
            }
        }
        leftOverSince.keySet().retainAll(seen);
    }

    private void begin(String work, long epoch, long validUntil, Object target, boolean leftOver) {
        Worker w = new Worker(work, epoch, validUntil, target, leftOver);
        if (leftOver) {
            if (work.startsWith("cluster.")) {
                w.cluster = ClusterPublisher.retiring(work.substring("cluster.".length()), settings, epoch, w::valid, w.metrics, snapshot);
                w.cluster.start();
            } else {
                w.alerts = AlertPublisher.retiring(work.substring("alerts.".length()), settings, epoch, w::valid, w.metrics);
                w.alerts.start();
            }
        } else if (target instanceof ClusterHandle h) {
            w.cluster = new ClusterPublisher(h, settings, appLabel, epoch, w::valid, w.metrics, snapshot); // it checks freshness
            if (meters != null) {
                w.gauges.add(Gauge.builder("noah.events.buffer", w.cluster, ClusterPublisher::buffered)
                        .description("watch events waiting for Kafka").tag("cluster", h.name()).register(meters));
            }
            w.cluster.start();
        } else {
            w.alerts = new AlertPublisher((String) target, registry, settings, epoch, w::valid, w.metrics);
            w.alerts.start();
        }
        if (meters != null) {
            w.gauges.add(Gauge.builder("noah.events.lease.held", () -> 1).description("1 for each unit of work this instance leads")
                    .tag("work", work).tag("instance", settings.instanceId()).register(meters));
        }
        held.put(work, w);
        log.info("{}: lease acquired (epoch {}), {}", work, epoch, leftOver ? "publishing its removal" : "publishing");
    }

    private void stop(Worker w) {
        stop(w, false);
    }

    /**
     * Graceful: publish what is buffered (lease still held), then give the lease up for the next holder.
     * Retiring (the cluster or IDC is gone from Noah) also publishes the unit's removal.
     */
    private void stop(Worker w, boolean retire) {
        held.remove(w.work);
        unregister(w);
        // off the lease loop: a flush or a retirement waits on Kafka for seconds, and the other units' leases must
        // be renewed meanwhile; the lease stays live (never renewed again) until this ends, so no one takes it early
        background(w, () -> {
            finish(w, retire);
            if ((retire || w.leftOver) && w.retired()) {
                loops.forget("events." + w.work);
                leases.forget(settings.leaseName(w.work), settings.instanceId(), w.epoch); // its removal is in Kafka
            } else {
                leases.release(settings.leaseName(w.work), settings.instanceId(), w.epoch);
            }
        });
    }

    private void finish(Worker w, boolean retire) {
        if (w.cluster != null) {
            long left = Math.max(0, Math.min(3000, (w.validUntilNanos - System.nanoTime()) / 1_000_000 - 500));
            if (retire) {
                w.cluster.retire(left);
            } else {
                w.cluster.stop(true, left);
            }
        }
        if (w.alerts != null) {
            if (retire) {
                w.alerts.retire();
            } else {
                w.alerts.stop();
            }
        }
    }

    private void background(Worker w, Runnable stop) {
        CompletableFuture<Void> f = CompletableFuture.runAsync(stop, stopper).exceptionally(e -> {
            log.error("{}: stopping its publisher failed", w.work, e);
            return null;
        });
        stopping.add(f);
        f.whenComplete((x, e) -> stopping.remove(f));
    }

    /** The lease is gone: stop at once, publish nothing more. */
    private void stopLost(Worker w) {
        held.remove(w.work);
        w.validUntilNanos = System.nanoTime() - 1;
        unregister(w);
        background(w, () -> {
            if (w.cluster != null) {
                w.cluster.stop(!settings.localLeaseCheck(), 2000);
            }
            if (w.alerts != null) {
                w.alerts.stop();
            }
        });
    }

    private void unregister(Worker w) {
        if (meters != null) {
            w.gauges.forEach(meters::remove); // counters and the latency histogram stay: they count across leases
        }
    }

    /**
     * Before counting as a member (and so taking units over from instances already publishing), read
     * the state topics once: class loading, JIT and the broker's page cache then cost nothing during
     * the takeover itself, which is the publishing gap of a graceful hand-over.
     */
    private void warmUp() {
        try {
            readStateTopics();
        } catch (RuntimeException e) {
            log.info("event publisher {}: warm-up skipped ({})", settings.instanceId(), e.toString());
        }
    }

    private void readStateTopics() {
        long t0 = System.nanoTime();
        int[] n = new int[1];
        StateSnapshot s = new StateSnapshot();
        s.reached(TopicReader.read(settings.bootstrapServers(), EventKind.takeoverTopics(settings.topics()), "", Map.of(),
                (topic, key, value) -> {
                    s.record(topic, key, value);
                    EventKind<?> k = EventKind.ofStateTopic(settings.topics(), topic);
                    if (k != null && value != null && n[0]++ < 2000) { // JIT: the takeover's parsing
                        k.stateObject(value);
                    }
                }, () -> closed));
        snapshot = s;
        try (TxProducer p = new TxProducer(settings, "warm-up." + settings.instanceId(), () -> true)) {
            p.init();
        }
        log.info("event publisher {}: warmed up before joining ({} ms)", settings.instanceId(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void ensureTopics() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            EventsSettings.Topics t = settings.topics();
            for (String name : t.all()) {
                if (existing.contains(name)) {
                    continue;
                }
                NewTopic nt = new NewTopic(name, Optional.of(settings.partitions()),
                        settings.replicationFactor() <= 0 ? Optional.empty() : Optional.of(settings.replicationFactor()));
                if (!name.equals(t.changes())) {
                    // the active segment is never compacted: roll it every 10 min / 64 MB, so a takeover reads about the
                    // live state instead of up to a 1 GB default segment of history
                    nt.configs(Map.of("cleanup.policy", "compact", "segment.ms", "600000", "segment.bytes", "67108864",
                            "min.cleanable.dirty.ratio", "0.2"));
                }
                create.add(nt);
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                log.info("created topics {}", create.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka topics could not be checked: " + e, e);
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
            Worker w = held.get(work);
            String state = w == null ? removed.contains(work) ? "REMOVAL_PENDING" : "STANDBY"
                    : w.leftOver && !"DEGRADED".equals(w.state()) ? "REMOVING" : w.state();
            out.add(new PublisherStatus(work, l == null ? null : l.holder(), l == null ? 0 : l.epoch(), l != null && l.live(),
                    l == null ? null : l.until(), state,
                    w == null || w.cluster == null ? null : w.cluster.buffered(),
                    w == null ? null : w.cluster != null ? w.cluster.lastError() : w.alerts.lastError(),
                    w == null || w.cluster == null ? null : w.cluster.lastPublishedAt()));
        }
        return out;
    }

    /** True when a unit this instance leads cannot deliver to Kafka right now. */
    public boolean degraded() {
        return !topicsReady || held.values().stream().anyMatch(w -> "DEGRADED".equals(w.state()));
    }

    public boolean leads(String work) {
        return held.containsKey(work);
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
        new ArrayList<>(held.values()).forEach(this::stop); // all at once
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("event publishers not all stopped: {}", e.toString());
        }
        stopper.shutdown();
        try {
            leases.leave(settings.instanceId());
        } catch (RuntimeException e) {
            log.debug("leaving: {}", e.toString());
        }
        log.info("event publisher {} stopped, leases released", settings.instanceId());
    }
}
