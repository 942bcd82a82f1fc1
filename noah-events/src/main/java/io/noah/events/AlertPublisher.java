package io.noah.events;

import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.apache.kafka.common.KafkaException;
import io.noah.cluster.watch.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Raises and clears IP-conflict alerts of one IDC while this instance holds the IDC's alert lease.
 * The alerts topic is compacted by {@code idc/ip}: its last record per IP says whether an alert is
 * active, so a new leader continues exactly where the previous one stopped (no duplicate raise, no
 * forgotten clear).
 */
final class AlertPublisher implements UnitPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertPublisher.class);

    private final String idc;
    private final ClusterRegistry registry;
    private final EventsSettings settings;
    private final long epoch;
    private final BooleanSupplier leaseValid;
    private final PublisherMetrics metrics;
    private final TxProducer producer;
    private final Map<String, Set<String>> active = new HashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean retiring;
    /** Only clears what an earlier holder left active: the IDC is no longer registered. */
    private final boolean leftOver;
    private volatile boolean retired;
    private List<Object> lastSeen = List.of();
    private volatile ClusterPublisher.State state = ClusterPublisher.State.STARTING;
    private volatile String lastError;
    private volatile Throwable crash;
    private final StateReader reader;

    AlertPublisher(String idc, ClusterRegistry registry, EventsSettings settings, long epoch, BooleanSupplier leaseValid,
                   PublisherMetrics metrics) {
        this(idc, registry, settings, epoch, leaseValid, metrics, false, topicReader(settings));
    }

    /** With its own state reader (tests). */
    AlertPublisher(String idc, ClusterRegistry registry, EventsSettings settings, long epoch, BooleanSupplier leaseValid,
                   PublisherMetrics metrics, StateReader reader) {
        this(idc, registry, settings, epoch, leaseValid, metrics, false, reader);
    }

    /**
     * For an IDC no longer registered whose alerts were never cleared (its holder died, or Kafka was down when it
     * retired): fences the last holder, reads the active alerts and clears them, then ends.
     */
    static AlertPublisher retiring(String idc, EventsSettings settings, long epoch, BooleanSupplier leaseValid, PublisherMetrics metrics) {
        return new AlertPublisher(idc, null, settings, epoch, leaseValid, metrics, true, topicReader(settings));
    }

    private AlertPublisher(String idc, ClusterRegistry registry, EventsSettings settings, long epoch, BooleanSupplier leaseValid,
                           PublisherMetrics metrics, boolean leftOver, StateReader reader) {
        this.leftOver = leftOver;
        this.idc = idc;
        this.registry = registry;
        this.settings = settings;
        this.epoch = epoch;
        this.leaseValid = leaseValid;
        this.metrics = metrics;
        this.producer = new TxProducer(settings, "alerts." + idc, leaseValid);
        this.reader = reader;
        this.thread = Thread.ofPlatform().name("noah-alerts-" + idc).daemon().unstarted(this::run);
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public ClusterPublisher.State state() {
        return state;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    long epoch() {
        return epoch;
    }

    @Override
    public boolean alive() {
        return thread.isAlive();
    }

    /** Whether the IDC's alerts were all cleared on retiring: its lease can then be forgotten. */
    @Override
    public boolean retired() {
        return retired;
    }

    /**
     * {@code RETIRE} (the IDC is gone from Noah): clear its active alerts (one transaction), then stop; otherwise stop
     * at once (the alerts topic keeps what is active for the next holder).
     */
    @Override
    public void stop(StopRequest request) {
        boolean retire = request.kind() == StopRequest.Kind.RETIRE;
        if (retire) {
            retiring = true; // no interrupt: the loop finishes its pause and clears
        }
        stopping = true;
        if (!retire) {
            thread.interrupt();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(new StopRequest(StopRequest.Kind.NOW, 0));
    }

    /** Reads the IDC's active alerts (key {@code idc/ip} → member pods) as the alerts topic has them. */
    interface StateReader {
        Map<String, Set<String>> read(String idc, BooleanSupplier cancelled);
    }

    /** The compacted alerts topic, read to its end (read_committed): the last record per key says whether it is active. */
    static StateReader topicReader(EventsSettings settings) {
        return (idc, cancelled) -> {
            Map<String, Set<String>> active = new HashMap<>();
            TopicReader.read(settings.bootstrapServers(), List.of(settings.topics().alerts()), idc + "/", (t, k, v) -> {
                if (v == null) {
                    active.remove(k);
                    return;
                }
                JsonNode e = Envelopes.read(v);
                if (e.get("type").asString().endsWith(".cleared")) {
                    active.remove(k);
                } else {
                    active.put(k, uids(e.get("data").get("pods")));
                }
            }, cancelled);
            return active;
        };
    }

    private void run() {
        boolean stateRead = false;
        Backoff backoff = new Backoff(200, 2000); // Kafka retries, as the cluster publisher's
        try {
            while (!stopping) {
                try {
                    if (!producer.ready()) {
                        producer.init(); // fences the previous holder: from here on nobody else writes this IDC's alerts
                        stateRead = false;
                    }
                    if (!stateRead) {
                        // read after every (re)init, and again after a failed read: publishing without it would raise
                        // alerts that are already active and never clear those that ended meanwhile
                        Map<String, Set<String>> read = reader.read(idc, () -> stopping);
                        active.clear();
                        active.putAll(read);
                        lastSeen = List.of();
                        stateRead = true;
                        log.info("alerts of {}: took over (epoch {}), {} active", idc, epoch, active.size());
                    }
                    if (leftOver) {
                        clearAll("left active by an earlier holder");
                        return;
                    }
                    tick();
                    state = ClusterPublisher.State.PUBLISHING;
                    lastError = null;
                    backoff.reset();
                    Thread.sleep(500);
                } catch (TxProducer.FencedException e) {
                    throw e;
                } catch (KafkaException e) {
                    metrics.failures().increment();
                    state = ClusterPublisher.State.DEGRADED;
                    lastError = e.toString();
                    Thread.sleep(backoff.next());
                }
            }
            if (retiring && stateRead && producer.ready()) {
                try {
                    clearAll("on retiring");
                } catch (KafkaException e) {
                    log.warn("alerts of {}: the IDC is gone from Noah, but clearing its alerts failed (left to the next holder): {}",
                            idc, e.toString());
                }
            }
        } catch (TxProducer.FencedException e) {
            state = ClusterPublisher.State.FENCED;
            metrics.fenced().increment();
            log.warn("alerts of {}: {}", idc, e.getMessage());
        } catch (InterruptedException e) {
            // stopping
        } catch (LeaseLost e) {
            lastError = "lease lost";
            log.warn("alerts of {}: lease lost, publisher stopped", idc);
        } catch (Throwable e) { // NOPMD: ends this publisher only; the lease loop reports it and starts a new one
            if (!stopping) {
                crash = e;
                lastError = e.toString();
            }
        } finally {
            producer.close();
            if (state != ClusterPublisher.State.FENCED) {
                state = ClusterPublisher.State.STOPPED;
            }
        }
    }

    /** What ended this publisher unexpectedly, or null. */
    @Override
    public Throwable crash() {
        return crash;
    }

    /** The IDC is no longer registered: no conflicts left, every active alert clears. */
    private void clearAll(String which) {
        int cleared = publish(List.of());
        retired = true;
        if (cleared > 0) {
            log.info("alerts of {}: the IDC is no longer registered, {} alerts {} cleared", idc, cleared, which);
        }
    }

    private static Set<String> uids(JsonNode pods) {
        Set<String> s = new TreeSet<>();
        if (pods != null) {
            pods.forEach(p -> s.add(p.get("cluster").asString() + "/" + p.get("uid").asString()));
        }
        return s;
    }

    private void tick() {
        // nothing changed in this IDC's clusters and caches since the last published round: the same conflicts
        List<Object> seen = new ArrayList<>();
        for (ClusterHandle h : registry.all()) {
            if (idc.equals(h.spec().idc())) {
                if (!h.cache().synced()) {
                    return; // a cluster that has not listed yet would look as if its pods were gone
                }
                seen.add(h); // identity: a new handle (new connection) counts as a change
                seen.add(h.cache().changes()); // read before the scan: a change during it is seen next round
            }
        }
        if (seen.equals(lastSeen)) {
            return;
        }
        publish(IpConflicts.find(registry, idc));
        lastSeen = seen;
    }

    /** Raises, updates and clears so that the active alerts become these conflicts; the records sent. */
    private int publish(List<IpConflicts.Conflict> conflicts) {
        AlertPlanner.Plan plan = AlertPlanner.plan(idc, active, conflicts, settings, epoch);
        if (plan.records().isEmpty()) {
            return 0;
        }
        if (settings.localLeaseCheck() && !leaseValid.getAsBoolean()) {
            metrics.rejected().increment();
            throw new LeaseLost();
        }
        producer.sendAll(plan.records());
        metrics.published().increment(plan.records().size());
        active.clear();
        active.putAll(plan.active());
        return plan.records().size();
    }
}
