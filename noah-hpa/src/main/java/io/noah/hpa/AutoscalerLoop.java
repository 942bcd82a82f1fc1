package io.noah.hpa;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.ReplicaOwners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Evaluates the policies this instance holds a lease on, every tick (default 15 s) and at once after a policy changed:
 * claim/renew leases (one instance per policy; a crashed one's policies are taken over when its leases expire), one
 * evaluation per policy and pool in parallel (virtual threads, at most {@code parallelism} at once: each waits on the
 * metric store), then all decisions recorded in one batch, only while the lease is still held.
 */
public final class AutoscalerLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoscalerLoop.class);
    private static final Duration KEEP_DECISIONS = Duration.ofDays(14);

    /** The last decision of every pool of the held policies, and the tick's duration. */
    public record Status(Map<String, Map<String, DecisionRecord>> latest, Duration lastTick, int held, String phases) {
        /** Strategies whose metric source failed in the last tick: policy/pool → strategy → error. */
        public Map<String, Map<String, String>> sourceErrors() {
            Map<String, Map<String, String>> out = new java.util.TreeMap<>();
            latest.forEach((id, byPool) -> byPool.forEach((pool, d) -> {
                if (!d.detail().sourceErrors().isEmpty()) {
                    out.put(id + "/" + pool, d.detail().sourceErrors());
                }
            }));
            return out;
        }
    }

    private final AutoscalerStore store;
    private final Evaluator evaluator;
    private final MetricSource source;
    private final Pools pools;
    private final ReplicaOwners owners;
    private final Clock clock;
    private final String instanceId;
    private final Duration lease;
    private final Semaphore parallel;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-autoscaler").daemon().factory());
    private final Runnable guardedTick;
    /** A tick longer than this is logged with its phases. */
    private final Duration slowTick;
    private final long tickMillis;
    /**
     * A steady decision (the same outcome as the last record, only the values drifting) rewrites its detail — per-pod
     * inputs, strategies — once in this many ticks ({@code detailRefresh} / tick, a minute by default), each policy in its
     * own tick so the rewrites spread; the other ticks write its counts, repeats and last time only.
     */
    private final int detailEvery;
    private final AtomicBoolean woken = new AtomicBoolean();

    /** policy/pool → the last recorded decision (its id, to extend it while the outcome stays the same). */
    private final Map<String, DecisionRecord> recorded = new ConcurrentHashMap<>();
    /** policy/pool → the last scale times this instance knows. */
    private final Map<String, Calculator.History> histories = new ConcurrentHashMap<>();
    private volatile Status status = new Status(Map.of(), Duration.ZERO, 0, "");
    private Instant lastPrune = Instant.EPOCH;

    private final MeterRegistry meters;
    private final MultiGauge replicas;
    private final Timer tickTimer;

    public AutoscalerLoop(AutoscalerStore store, Evaluator evaluator, MetricSource source, Pools pools, ReplicaOwners owners, Clock clock,
                          String instanceId, Duration lease, Duration tick, int parallelism, Loops loops, MeterRegistry meters,
                          Duration detailRefresh) {
        this.source = source;
        this.store = store;
        this.evaluator = evaluator;
        this.pools = pools;
        this.owners = owners;
        this.clock = clock;
        this.instanceId = instanceId;
        this.lease = lease;
        this.parallel = new Semaphore(parallelism);
        this.meters = meters;
        this.replicas = MultiGauge.builder("noah.autoscaler.replicas")
                .description("Replicas of an autoscaled app in a pool: current (as found) and desired (as decided)").register(meters);
        this.tickTimer = Timer.builder("noah.autoscaler.tick").description("One evaluation of every held policy")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.guardedTick = loops.guard("autoscaler", this::tick);
        this.slowTick = tick.dividedBy(2);
        this.tickMillis = Math.max(1, tick.toMillis());
        this.detailEvery = (int) Math.max(1, detailRefresh.toMillis() / tickMillis);
        loop.scheduleWithFixedDelay(guardedTick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs a tick soon (a policy was created or changed); wakes while one is pending are coalesced. */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    woken.set(false);
                    guardedTick.run();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                woken.set(false);
            }
        }
    }

    public Status status() {
        return status;
    }

    public String instanceId() {
        return instanceId;
    }

    /** Exposed for the benchmark: one tick, now, on the caller's thread. */
    public void tickNow() {
        tick();
    }

    private void tick() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        List<Autoscaler> held = store.claim(instanceId, lease, now);
        long claimed = System.nanoTime();
        pools.newTick();
        TickMetrics metrics = new TickMetrics(source, pools::podsInNamespace);
        for (Autoscaler a : held) {
            for (String pool : a.spec().pools().keySet()) {
                try {
                    evaluator.plan(a, pool, metrics);
                } catch (RuntimeException e) {
                    // the evaluation meets the same problem and records it
                }
            }
        }
        Evaluator.TickContext ctx = new Evaluator.TickContext(now, owners.owners(), otherAutoscalers(held), metrics);
        long planned = System.nanoTime();
        long[] fetched = new long[1];
        List<Autoscaler> order = new ArrayList<>();
        List<Future<DecisionRecord>> futures = new ArrayList<>();
        try (var exec = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("noah-autoscaler-eval-", 0).factory())) {
            metrics.fetch(now, exec, parallel);
            fetched[0] = System.nanoTime();
            for (Autoscaler a : held) {
                for (String pool : a.spec().pools().keySet()) {
                    order.add(a);
                    futures.add(exec.submit(() -> evaluateGuarded(a, pool, ctx)));
                }
            }
        }
        List<DecisionRecord> decisions = new ArrayList<>();
        boolean[] keepDetail = new boolean[futures.size()];
        long tickNo = now.toEpochMilli() / tickMillis;
        for (int i = 0; i < futures.size(); i++) {
            DecisionRecord d = futures.get(i).resultNow();
            DecisionRecord last = recorded.get(key(d));
            if (d.id() == 0 && last != null && last.id() > 0 && last.outcomeKey().equals(d.outcomeKey()) && !d.applied()) {
                d = new DecisionRecord(last.id(), d.autoscalerId(), d.pool(), last.at(), d.lastAt(), last.repeats() + 1, d.mode(), d.reason(),
                        d.current(), d.desired(), d.applied(), d.detail());
                keepDetail[i] = sameShape(last.detail(), d.detail()) && Math.floorMod(tickNo + key(d).hashCode(), detailEvery) != 0;
            }
            decisions.add(d);
        }
        long evaluated = System.nanoTime();
        long[] ids = decisions.isEmpty() ? new long[0] : store.record(instanceId, decisions, keepDetail);
        long recordedAt = System.nanoTime();
        Map<String, Map<String, DecisionRecord>> latest = new HashMap<>();
        Set<String> live = new HashSet<>();
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (int i = 0; i < decisions.size(); i++) {
            DecisionRecord d = decisions.get(i);
            String k = key(d);
            live.add(k);
            if (ids[i] == 0) {
                recorded.remove(k); // the lease was lost: another instance records this policy now
                continue;
            }
            // as stored: a record that kept its detail keeps the detail it has in the store
            DecisionRecord stored = new DecisionRecord(ids[i], d.autoscalerId(), d.pool(), d.at(), d.lastAt(), d.repeats(), d.mode(),
                    d.reason(), d.current(), d.desired(), d.applied(), keepDetail[i] ? recorded.get(k).detail() : d.detail());
            recorded.put(k, stored);
            histories.put(k, new Calculator.History(d.detail().lastScaleUp(), d.detail().lastScaleDown()));
            latest.computeIfAbsent(d.autoscalerId(), x -> new HashMap<>()).put(d.pool(), stored);
            Autoscaler a = order.get(i);
            Tags tags = Tags.of("autoscaler", a.id(), "app", a.spec().app(), "namespace", a.spec().namespace(), "pool", d.pool());
            rows.add(MultiGauge.Row.of(tags.and("kind", "current"), d.current()));
            rows.add(MultiGauge.Row.of(tags.and("kind", "desired"), d.desired()));
            if (d.repeats() == 1) {
                Counter.builder("noah.autoscaler.decisions").description("Decisions (identical consecutive ones counted once), by reason")
                        .tags("reason", d.reason()).register(meters).increment();
            }
            if (d.applied()) {
                Counter.builder("noah.autoscaler.scales").description("Replica counts written by the autoscaler")
                        .tags(tags.and("direction", d.desired() > d.current() ? "up" : "down")).register(meters).increment();
                log.info("autoscaler {} ({}/{}) scaled {} in {} from {} to {}: {}", a.id(), a.spec().namespace(), a.spec().app(),
                        d.detail().deployment(), d.pool(), d.current(), d.desired(), d.detail().explanation());
            }
        }
        recorded.keySet().retainAll(live);
        histories.keySet().retainAll(live);
        replicas.register(rows, true);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String phases = String.format("claim %d ms, plan %d ms, metrics %d ms, evaluate %d ms, record %d ms, rest %d ms",
                ms(claimed - started), ms(planned - claimed), ms(fetched[0] - planned), ms(evaluated - fetched[0]), ms(recordedAt - evaluated),
                ms(System.nanoTime() - recordedAt));
        if (took.compareTo(slowTick) > 0) {
            log.info("autoscaler tick over {} policies took {} ms ({})", held.size(), took.toMillis(), phases);
        }
        tickTimer.record(took);
        status = new Status(Map.copyOf(latest), took, held.size(), phases);
        if (now.isAfter(lastPrune.plus(Duration.ofHours(1)))) {
            lastPrune = now;
            int n = store.prune(now.minus(KEEP_DECISIONS));
            if (n > 0) {
                log.info("deleted {} autoscaler decisions older than {}", n, KEEP_DECISIONS);
            }
        }
    }

    /** An evaluation that fails unexpectedly is a decision too (nothing written), and the others go on. */
    private DecisionRecord evaluateGuarded(Autoscaler a, String pool, Evaluator.TickContext ctx) throws InterruptedException {
        parallel.acquire();
        try {
            DecisionRecord d = evaluator.evaluate(a, pool, ctx, histories.getOrDefault(a.id() + "/" + pool, Calculator.History.NONE));
            if (d.applied()) {
                // a scale is recorded as soon as it is written, not at the end of the tick: whoever sees the new count
                // finds its decision (the tick's batch then rewrites the same record)
                long id = store.record(instanceId, List.of(d))[0];
                if (id > 0) {
                    d = new DecisionRecord(id, d.autoscalerId(), d.pool(), d.at(), d.lastAt(), d.repeats(), d.mode(), d.reason(), d.current(),
                            d.desired(), d.applied(), d.detail());
                }
            }
            return d;
        } catch (RuntimeException | Error e) {
            log.warn("autoscaler {} in pool {}: evaluation failed", a.id(), pool, e);
            String why = "evaluation failed: " + e;
            var detail = new DecisionRecord.Detail(null, 0, why, why, false, false, DecisionRecord.RulesView.of(a.spec().rules(pool)),
                    null, null, List.of(), List.of(), Map.of());
            return new DecisionRecord(0, a.id(), pool, ctx.now(), ctx.now(), 1, a.spec().mode().name().toLowerCase(), "evaluation-failed",
                    0, 0, false, detail);
        } finally {
            parallel.release();
        }
    }

    /** One list of HPAs and ScaledObjects per pool and namespace of the held policies (not one per policy). */
    private Map<String, List<String>> otherAutoscalers(List<Autoscaler> held) {
        Map<String, Set<String>> names = new HashMap<>();
        for (Autoscaler a : held) {
            for (String pool : a.spec().pools().keySet()) {
                if (pools.unavailable(pool) == null) {
                    pools.app(pool, a.spec().namespace(), a.spec().app()).deployments()
                            .forEach(d -> names.computeIfAbsent(pool + "/" + a.spec().namespace(), k -> new HashSet<>()).add(d.name()));
                }
            }
        }
        Map<String, List<String>> out = new ConcurrentHashMap<>();
        names.forEach((k, deployments) -> {
            int slash = k.indexOf('/');
            try {
                out.put(k, pools.otherAutoscalers(k.substring(0, slash), k.substring(slash + 1), deployments));
            } catch (RuntimeException e) {
                // unknown is not none: the policies there write nothing until the list can be read again
                out.put(k, List.of("could not list the HorizontalPodAutoscalers and ScaledObjects: " + e.getMessage()));
            }
        });
        return out;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /**
     * Whether a steady decision's new inputs are the stored ones but for the values' drift: the same Deployment(s), the
     * same pods and readiness, each strategy counting the same pods. Otherwise the detail is rewritten at once.
     */
    static boolean sameShape(DecisionRecord.Detail a, DecisionRecord.Detail b) {
        if (!java.util.Objects.equals(a.deployment(), b.deployment()) || !java.util.Objects.equals(a.frozen(), b.frozen())
                || a.pods().size() != b.pods().size() || a.strategies().size() != b.strategies().size()) {
            return false;
        }
        for (int i = 0; i < a.pods().size(); i++) {
            DecisionRecord.Pod x = a.pods().get(i);
            DecisionRecord.Pod y = b.pods().get(i);
            if (!x.name().equals(y.name()) || x.ready() != y.ready()) {
                return false;
            }
        }
        for (int i = 0; i < a.strategies().size(); i++) {
            Calculator.StrategyResult x = a.strategies().get(i);
            Calculator.StrategyResult y = b.strategies().get(i);
            if (!x.name().equals(y.name()) || x.counted() != y.counted() || x.missing() != y.missing() || x.ignored() != y.ignored()
                    || !java.util.Objects.equals(x.invalid(), y.invalid())) {
                return false;
            }
        }
        return true;
    }

    private static String key(DecisionRecord d) {
        return d.autoscalerId() + "/" + d.pool();
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
