package io.noah.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.ConcurrentHashMap;
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
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-events-leases").daemon().factory());
    private volatile boolean topicsReady;
    private boolean warm;
    private final long joinDeadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    private volatile StateSnapshot snapshot;
    private volatile boolean closed;

    private final class Worker {
        final String work;
        final Object target;
        final long epoch;
        volatile long validUntilNanos;
        ClusterPublisher cluster;
        AlertPublisher alerts;
        final PublisherMetrics metrics;
        final List<Meter> gauges = new ArrayList<>();

        Worker(String work, long epoch, long validUntilNanos, Object target) {
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
    }

    public EventsService(ClusterRegistry registry, LeaseStore leases, EventsSettings settings, String appLabel, MeterRegistry meters) {
        this.registry = registry;
        this.leases = leases;
        this.settings = settings;
        this.appLabel = appLabel;
        this.meters = meters;
    }

    public void start() {
        loop.scheduleWithFixedDelay(this::tick, 0, settings.poll().toMillis(), TimeUnit.MILLISECONDS);
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
        try {
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
                if (target == null) {
                    // twice in a row: a registry update swaps a cluster's handle, and this loop may look in between
                    if (absent.merge(w.work, 1, Integer::sum) >= 2) {
                        log.info("{}: no longer registered: publishing its removal, then stopping", w.work);
                        absent.remove(w.work);
                        stop(w, true);
                    }
                    continue;
                }
                absent.remove(w.work);
                if (target instanceof ClusterHandle h && (w.target != h || !w.cluster.idc().equals(h.spec().idc()))) {
                    // new connection (e.g. rotated credentials: the old client is closed) or another IDC (in every
                    // event): hand over to ourselves; the next round takes it again with the new handle
                    log.info("{}: cluster connection or IDC changed, restarting its publisher", w.work);
                    stop(w);
                    continue;
                }
                long t0 = System.nanoTime();
                if (!w.alive()) {
                    log.warn("{}: publisher ended ({}), giving the lease up", w.work, w.state());
                    stop(w);
                    continue;
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
            if (held.size() < share) {
                List<String> order = new ArrayList<>(wanted.keySet());
                // start from a different unit on every instance, so they rarely race for the same one
                java.util.Collections.rotate(order, Math.floorMod(settings.instanceId().hashCode(), Math.max(1, order.size())));
                for (String work : order) {
                    if (held.size() >= share || closed) {
                        break;
                    }
                    if (held.containsKey(work)) {
                        continue;
                    }
                    long t0 = System.nanoTime();
                    OptionalLong epoch = leases.acquire(settings.leaseName(work), settings.instanceId(), settings.lease());
                    if (epoch.isPresent()) {
                        begin(work, epoch.getAsLong(), t0 + settings.lease().toNanos() * 9 / 10, wanted.get(work));
                    }
                }
            } else if (held.size() > share && members > 1) {
                Worker w = held.values().stream().max(java.util.Comparator.comparing(x -> x.work)).orElseThrow();
                log.info("{}: {} instances now, handing this unit over (holding {}, fair share {})", w.work, members, held.size(), share);
                stop(w);
            }
        } catch (RuntimeException e) {
            log.warn("event publisher lease loop: {}", e.toString());
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

    private void begin(String work, long epoch, long validUntil, Object target) {
        Worker w = new Worker(work, epoch, validUntil, target);
        if (target instanceof ClusterHandle h) {
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
        log.info("{}: lease acquired (epoch {}), publishing", work, epoch);
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
        unregister(w);
        leases.release(settings.leaseName(w.work), settings.instanceId(), w.epoch);
    }

    /** The lease is gone: stop at once, publish nothing more. */
    private void stopLost(Worker w) {
        held.remove(w.work);
        w.validUntilNanos = System.nanoTime() - 1;
        if (w.cluster != null) {
            w.cluster.stop(!settings.localLeaseCheck(), 2000);
        }
        if (w.alerts != null) {
            w.alerts.stop();
        }
        unregister(w);
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
        try (TxProducer p = new TxProducer(settings, "warm-up." + settings.instanceId())) {
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
        for (String work : wanted().keySet()) {
            LeaseStore.Lease l = byWork.get(work);
            Worker w = held.get(work);
            out.add(new PublisherStatus(work, l == null ? null : l.holder(), l == null ? 0 : l.epoch(), l != null && l.live(),
                    l == null ? null : l.until(), w == null ? "STANDBY" : w.state(),
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
        for (Worker w : new ArrayList<>(held.values())) {
            try {
                stop(w);
            } catch (RuntimeException e) {
                log.warn("{}: stopping: {}", w.work, e.toString());
            }
        }
        try {
            leases.leave(settings.instanceId());
        } catch (RuntimeException e) {
            log.debug("leaving: {}", e.toString());
        }
        log.info("event publisher {} stopped, leases released", settings.instanceId());
    }
}
