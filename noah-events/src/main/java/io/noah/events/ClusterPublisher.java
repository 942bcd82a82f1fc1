package io.noah.events;

import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.watch.ChangeFeed;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import io.noah.cluster.watch.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Publishes one cluster's pods, Deployments and nodes while this instance holds the cluster's lease.
 *
 * <p>On start it fences the previous leader (transactional id per cluster), reads what was last
 * published from the compacted state topics and the checkpoints (the last resourceVersion per kind),
 * and resumes the watches from there: changes made while no one watched are replayed from the API
 * server's watch history, or, when that has expired (410), found by diffing a fresh list against the
 * last published state (deletes included) and marked with a {@code io.noah.cluster.resynced} event.
 *
 * <p>Every batch (change events, state records, checkpoints) is one Kafka transaction, so a
 * checkpoint never runs ahead of what it covers and consumers reading committed records see all of a
 * batch or none of it.
 */
final class ClusterPublisher implements UnitPublisher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterPublisher.class);
    private static final int MAX_BATCH = 5000;

    enum State { STARTING, PUBLISHING, DEGRADED, STOPPED, FENCED }

    private final ClusterHandle handle;
    private final String cluster;
    private final String idc;
    private final EventsSettings settings;
    private final String appLabel;
    private final long epoch;
    private final BooleanSupplier leaseValid;
    private final PublisherMetrics metrics;
    private final BlockingQueue<BatchPlanner.Item> queue;
    private volatile PublishedState published = new PublishedState();
    /** Added by the publisher thread, closed by whichever thread stops it. */
    private final List<ChangeFeed<?, ?>> feeds = new CopyOnWriteArrayList<>();
    private final BatchPlanner planner;
    private final TxProducer producer;
    private final StateSnapshot preloaded;
    private final Thread thread;
    private volatile State state = State.STARTING;
    private volatile String lastError;
    private volatile Throwable crash;
    private volatile Instant lastPublishedAt;
    private long feedsStartedNanos;
    private volatile boolean stopping;
    private volatile boolean flushOnStop;
    private volatile boolean retireOnStop;
    private volatile long stopDeadlineNanos;
    /** Set while a transaction is being sent and committed (System.nanoTime at its start), else 0. */
    private volatile long inFlightSince;
    /** True once the cluster's removal is in Kafka (or there was nothing of it there to remove). */
    private volatile boolean retired;
    /** Set when the buffer refused a change (a watch suspended); cleared once a transaction commits. */
    private volatile boolean bufferFull;
    private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(3);

    ClusterPublisher(ClusterHandle handle, EventsSettings settings, String appLabel, long epoch, BooleanSupplier leaseValid,
                     PublisherMetrics metrics, StateSnapshot preloaded) {
        this(handle, handle.name(), handle.spec().idc(), settings, appLabel, epoch, leaseValid, metrics, preloaded);
    }

    /**
     * For a cluster no longer registered whose removal was never published (its holder died, or Kafka was down
     * when it retired): fences the last holder, reads what was last published and publishes the removal, then ends.
     */
    static ClusterPublisher retiring(String cluster, EventsSettings settings, long epoch, BooleanSupplier leaseValid,
                                     PublisherMetrics metrics, StateSnapshot preloaded) {
        return new ClusterPublisher(null, cluster, null, settings, null, epoch, leaseValid, metrics, preloaded);
    }

    private ClusterPublisher(ClusterHandle handle, String cluster, String idc, EventsSettings settings, String appLabel, long epoch,
                             BooleanSupplier leaseValid, PublisherMetrics metrics, StateSnapshot preloaded) {
        this.preloaded = preloaded;
        this.handle = handle;
        this.cluster = cluster;
        this.idc = idc;
        this.settings = settings;
        this.appLabel = appLabel;
        this.epoch = epoch;
        this.leaseValid = leaseValid;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(settings.bufferCapacity());
        this.producer = new TxProducer(settings, "cluster." + cluster, leaseValid);
        this.planner = new BatchPlanner(cluster, idc, settings, epoch);
        this.thread = Thread.ofPlatform().name("noah-events-" + cluster).daemon().unstarted(this::run);
    }

    @Override
    public void start() {
        thread.start();
    }

    /**
     * The publisher's state; PUBLISHING turns DEGRADED while the buffer is full (the watches are suspended) or a
     * transaction has been waiting on Kafka for longer than {@link #STALLED_NANOS}, before any send has failed.
     */
    @Override
    public State state() {
        State s = state;
        if (s == State.PUBLISHING && (bufferFull || stalled())) {
            return State.DEGRADED;
        }
        return s;
    }

    @Override
    public String lastError() {
        String e = lastError;
        if (e == null && state == State.PUBLISHING) {
            if (bufferFull) {
                return "buffer full (" + queue.size() + " changes held): watches suspended until Kafka catches up";
            }
            if (stalled()) {
                return "a transaction has waited on Kafka for " + (System.nanoTime() - inFlightSince) / 1_000_000 + " ms";
            }
        }
        return e;
    }

    private boolean stalled() {
        long since = inFlightSince;
        return since != 0 && System.nanoTime() - since > STALLED_NANOS;
    }

    /** What ended this publisher unexpectedly, or null. */
    @Override
    public Throwable crash() {
        return crash;
    }

    @Override
    public Instant lastPublishedAt() {
        return lastPublishedAt;
    }

    long epoch() {
        return epoch;
    }

    String idc() {
        return idc;
    }

    /** Whether the cluster's removal was published: its lease can then be forgotten. */
    @Override
    public boolean retired() {
        return retired;
    }

    @Override
    public Integer buffered() {
        return queue.size();
    }

    @Override
    public boolean alive() {
        return thread.isAlive();
    }

    /**
     * Stops publishing. {@code FLUSH} (graceful hand-over, the lease still held): what is already buffered is
     * published first, within the budget; the next leader resumes from the last checkpoint either way, so nothing is
     * lost, only delayed. {@code RETIRE} (the cluster was removed from Noah): the buffer, then an
     * {@code io.noah.cluster.removed} event with tombstones for every state record and checkpoint of the cluster in
     * one transaction, so the compacted topics hold only clusters Noah watches (its pods did not die: no per-pod
     * deletes; registered again, it starts afresh from a full list). {@code NOW}: at once, nothing more published.
     */
    @Override
    public void stop(StopRequest request) {
        boolean flush = request.kind() != StopRequest.Kind.NOW;
        retireOnStop = request.kind() == StopRequest.Kind.RETIRE;
        flushOnStop = flush;
        stopDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(request.budgetMillis());
        stopping = true;
        feeds.forEach(ChangeFeed::close);
        if (!flush) {
            thread.interrupt();
        }
        try {
            thread.join(request.budgetMillis() + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(new StopRequest(StopRequest.Kind.NOW, 0));
    }

    private void run() {
        MDC.put("cluster", cluster);
        try {
            if (!initProducer() || !loadState()) {
                return;
            }
            if (handle == null) {
                untilDone(this::publishRemoval); // a left-over removal: until it is in Kafka or the lease goes
                return;
            }
            state = State.PUBLISHING;
            startFeeds();
            loop();
        } catch (TxProducer.FencedException e) {
            state = State.FENCED;
            lastError = e.getMessage();
            metrics.fenced().increment();
            log.warn("cluster {}: publisher stopped: {}", cluster, e.getMessage());
        } catch (LeaseLost e) {
            lastError = "lease lost";
            metrics.rejected().increment();
            log.warn("cluster {}: lease lost, publisher stopped without publishing what it held", cluster);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) { // NOPMD: ends this publisher only; the lease loop reports it (stack trace, health) and starts a new one
            if (!stopping) {
                crash = e;
                lastError = e.toString();
            }
        } finally {
            feeds.forEach(ChangeFeed::close);
            producer.close();
            if (state != State.FENCED) {
                state = State.STOPPED;
            }
            MDC.remove("cluster");
        }
    }

    /** Kafka retries: 200 ms doubling to 2 s, with jitter. */
    private static Backoff kafkaBackoff() {
        return new Backoff(200, 2000);
    }

    private interface KafkaStep {
        void run();
    }

    /**
     * Runs a step until it succeeds (true) or the publisher is stopped (false): Kafka errors are retried with a
     * growing pause, the publisher showing DEGRADED meanwhile; fencing and a lost lease end the publisher.
     */
    private boolean untilDone(KafkaStep step) throws InterruptedException {
        Backoff backoff = kafkaBackoff();
        while (!stopping) {
            try {
                step.run();
                return true;
            } catch (TxProducer.FencedException | LeaseLost e) {
                throw e;
            } catch (KafkaException e) {
                pause(e, backoff);
            }
        }
        return false;
    }

    private boolean initProducer() throws InterruptedException {
        return untilDone(producer::init);
    }

    private boolean loadState() throws InterruptedException {
        try {
            return untilDone(() -> {
                long t0 = System.nanoTime();
                StateSnapshot s = preloaded != null && preloaded.fresh() ? preloaded : null;
                published = PublishedState.load(settings, cluster, s, () -> stopping);
                log.info("cluster {}: took over (epoch {}): {} pods, {} deployments, {} nodes last published, checkpoints {} ({} ms{})",
                        cluster, epoch, published.size(EventKind.PODS), published.size(EventKind.DEPLOYMENTS),
                        published.size(EventKind.NODES), published.checkpoints, (System.nanoTime() - t0) / 1_000_000,
                        s == null ? "" : ", from a snapshot read " + s.ageMs() + " ms before");
            });
        } catch (IllegalStateException e) {
            return false; // cancelled
        }
    }

    private void startFeeds() {
        feedsStartedNanos = System.nanoTime();
        feeds.add(ChangeFeed.pods(handle, appLabel, sink(EventKind.PODS)));
        feeds.add(ChangeFeed.deployments(handle, appLabel, sink(EventKind.DEPLOYMENTS)));
        feeds.add(ChangeFeed.nodes(handle, sink(EventKind.NODES)));
        feeds.get(0).start(published.checkpoints.get(EventKind.PODS));
        feeds.get(1).start(published.checkpoints.get(EventKind.DEPLOYMENTS));
        feeds.get(2).start(published.checkpoints.get(EventKind.NODES));
    }

    private <R> ChangeFeed.Sink<R> sink(EventKind<R> kind) {
        return new ChangeFeed.Sink<>() {
            @Override
            public void snapshot(List<R> items, String listRv, String reason) {
                try {
                    queue.put(new BatchPlanner.Snapshot(kind, items, listRv, reason));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public boolean event(ChangeFeed.Type type, R item, String rv, long receivedNanos) {
                return accepted(queue.offer(new BatchPlanner.Change(kind, type, item, rv, receivedNanos)));
            }

            @Override
            public boolean bookmark(String rv) {
                return accepted(queue.offer(new BatchPlanner.Bookmark(kind, rv)));
            }
        };
    }

    /** A refused event suspends its watch (ChangeFeed), to be resumed once the buffer is half empty. */
    private boolean accepted(boolean offered) {
        if (!offered) {
            metrics.suspensions().increment();
            bufferFull = true;
        }
        return offered;
    }

    private void loop() throws InterruptedException {
        List<BatchPlanner.Item> batch = new ArrayList<>();
        Backoff backoff = kafkaBackoff();
        while (true) {
            if (stopping && (!flushOnStop || System.nanoTime() > stopDeadlineNanos)) {
                return;
            }
            if (batch.isEmpty()) {
                BatchPlanner.Item first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping) {
                        if (retireOnStop) {
                            retireNow();
                        }
                        return; // flushed
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
            }
            try {
                inFlightSince = System.nanoTime();
                try {
                    publish(batch);
                } finally {
                    inFlightSince = 0;
                }
                batch.clear();
                backoff.reset();
                if (state != State.PUBLISHING) {
                    log.info("cluster {}: publishing again", cluster);
                    state = State.PUBLISHING;
                    lastError = null;
                }
                if (queue.size() < settings.bufferCapacity() / 2) {
                    bufferFull = false;
                    feeds.forEach(ChangeFeed::resume);
                }
            } catch (TxProducer.FencedException | LeaseLost e) {
                throw e;
            } catch (KafkaException e) {
                pause(e, backoff);
            }
        }
    }

    /** A Kafka call failed: counted, shown (DEGRADED), retried after the backoff's next pause. */
    private void pause(KafkaException e, Backoff backoff) throws InterruptedException {
        metrics.failures().increment();
        degraded(e);
        Thread.sleep(backoff.next());
    }

    private void degraded(RuntimeException e) {
        if (state != State.DEGRADED) {
            log.warn("cluster {}: Kafka not accepting ({}), holding {} changes and retrying", cluster, e.toString(), queue.size());
        }
        lastError = e.toString();
        if (state != State.STARTING || producer.ready()) {
            state = State.DEGRADED;
        }
    }

    /** Builds one transaction from a batch and commits it; the in-memory state moves only after the commit. */
    private void publish(List<BatchPlanner.Item> batch) {
        BatchPlanner.Plan plan = planner.plan(batch, published.objects, published.checkpoints);
        if (plan.isEmpty()) {
            return;
        }
        metrics.resyncs().increment(plan.resyncs());
        ensureLease();
        long t0 = System.nanoTime();
        producer.sendAll(plan.records());
        long now = System.nanoTime();
        metrics.commit().record(now - t0, TimeUnit.NANOSECONDS);
        metrics.batch().record(plan.records().size());
        for (long r : plan.received()) {
            metrics.latency().record(now - r, TimeUnit.NANOSECONDS);
        }
        metrics.published().increment(plan.events());
        published.apply(plan);
        if (lastPublishedAt == null) {
            log.info("cluster {}: first transaction as leader committed: {} events, {} ms after the watches started, {} ms in Kafka",
                    cluster, plan.events(), (now - feedsStartedNanos) / 1_000_000, (now - t0) / 1_000_000);
        }
        lastPublishedAt = Instant.now();
    }

    /** Nothing is sent once the lease may have expired (the broker fences a new holder's predecessor too). */
    private void ensureLease() {
        if (settings.localLeaseCheck() && !leaseValid.getAsBoolean()) {
            throw new LeaseLost();
        }
    }

    private void retireNow() {
        try {
            publishRemoval();
        } catch (TxProducer.FencedException | LeaseLost ex) {
            throw ex;
        } catch (KafkaException ex) {
            // the lease is released but kept: the unit is a left-over removal, published by whoever takes it (retiring)
            log.warn("cluster {}: removed from Noah, but its removal could not be published yet: {}", cluster, ex.toString());
        }
    }

    private void publishRemoval() {
        if (published.empty() && handle == null) {
            retired = true; // nothing of it in Kafka (its removal already published)
            log.info("cluster {}: no longer registered, nothing of it left in Kafka", cluster);
            return;
        }
        List<ProducerRecord<String, byte[]>> records = published.removalRecords(settings, cluster, idc, epoch);
        ensureLease();
        producer.sendAll(records);
        retired = true;
        log.info("cluster {}: removed from Noah; published io.noah.cluster.removed and {} tombstones{}", cluster, records.size() - 1,
                handle == null ? " (left over by an earlier holder)" : "");
    }
}
