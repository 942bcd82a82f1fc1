package io.noah.api.advice;

import io.noah.api.config.NoahProperties;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.hpa.advice.AdviceReport;
import io.noah.hpa.advice.AdviceSettings;
import io.noah.hpa.advice.Advisor;
import io.noah.hpa.advice.AppTarget;
import io.noah.release.Release;
import io.noah.release.ReleaseStore;
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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Advice runs: on request (one at a time across instances) and every {@code interval} (the period's slot is taken by
 * one instance). A run reads the app inventory from Noah's caches — per cluster, each app's Deployments (canaries of
 * active releases left out), its running pods (young ones left out of the history), their requests, the scaling mode
 * and core labels — and hands it to the {@link Advisor}; the report and the advice are stored when it finishes. A run
 * whose instance stops is marked failed by the next check (its heartbeat stops).
 */
public final class AdviceService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdviceService.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final JdbcAdviceStore store;
    private final ClusterRegistry registry;
    private final ReleaseStore releases;
    private final Advisor.RangeSource source;
    private final NoahProperties.Advice cfg;
    private final String appLabel;
    private final Clock clock;
    private final String instance;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("noah-advice-run").daemon().factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-advice").daemon().factory());
    private final String coreKey;
    private final String coreValue;

    /** {@code source} null: no metric store is configured, runs are refused. */
    public AdviceService(JdbcAdviceStore store, ClusterRegistry registry, ReleaseStore releases, Advisor.RangeSource source,
                         NoahProperties.Advice cfg, String appLabel, Clock clock, String instance, Loops loops) {
        this.store = store;
        this.registry = registry;
        this.releases = releases;
        this.source = source;
        this.cfg = cfg;
        this.appLabel = appLabel;
        this.clock = clock;
        this.instance = instance;
        cfg.settings(); // a bad configuration stops Noah at start
        int eq = cfg.coreLabel().indexOf('=');
        if (eq < 1) {
            throw new IllegalArgumentException("noah.advice.core-label must be key=value, got " + cfg.coreLabel());
        }
        this.coreKey = cfg.coreLabel().substring(0, eq);
        this.coreValue = cfg.coreLabel().substring(eq + 1);
        long check = cfg.check().toMillis();
        timer.scheduleWithFixedDelay(loops.guard("advice", this::check), check, check, TimeUnit.MILLISECONDS);
    }

    /** Starts a run now; 409 when one is running (here or on another instance) or no metric store is configured. */
    public JdbcAdviceStore.Run start(String actor, String reason, Duration window) {
        if (source == null) {
            throw new NoahException(NoahException.Reason.CONFLICT, "no metric store is configured (noah.autoscaler.metrics-url): nothing to advise from");
        }
        Instant now = clock.instant();
        store.expire(now.minus(HEARTBEAT.multipliedBy(4)), now);
        JdbcAdviceStore.Run run = newRun(null, "request", actor, reason, window, now);
        if (!store.insert(run)) {
            String other = store.running().map(JdbcAdviceStore.Run::id).orElse("?");
            throw new NoahException(NoahException.Reason.CONFLICT, "an advice run is already running (" + other + "); wait for it to finish");
        }
        runner.submit(() -> execute(run, window));
        return store.get(run.id()).orElseThrow();
    }

    private JdbcAdviceStore.Run newRun(String slot, String trigger, String actor, String reason, Duration window, Instant now) {
        String id = "adv-" + UUID.randomUUID().toString().substring(0, 8);
        return new JdbcAdviceStore.Run(id, slot, "RUNNING", trigger, actor, reason, window.toSeconds(), instance, now, now, null, null, null);
    }

    /** Every {@code check}: runs left by a stopped instance are failed; the period's scheduled run is taken if nobody has. */
    void check() {
        Instant now = clock.instant();
        int expired = store.expire(now.minus(HEARTBEAT.multipliedBy(4)), now);
        if (expired > 0) {
            log.warn("advice: {} run(s) abandoned by a stopped instance marked failed", expired);
        }
        if (source == null || cfg.interval().isZero() || cfg.interval().isNegative()) {
            return;
        }
        long period = now.getEpochSecond() / cfg.interval().toSeconds();
        Instant last = store.latestCreated().orElse(null);
        if (last != null && last.isAfter(now.minus(cfg.interval()))) {
            return; // a run (requested or scheduled) is recent enough
        }
        JdbcAdviceStore.Run run = newRun("scheduled-" + period, "schedule", "noah:advice", "weekly advice", cfg.window(), now);
        if (store.insert(run)) {
            // on the run thread, not this timer's: the timer also beats the run's heartbeat, which must go on meanwhile
            runner.submit(() -> execute(run, cfg.window()));
        }
    }

    private void execute(JdbcAdviceStore.Run run, Duration window) {
        ScheduledFuture<?> beat = timer.scheduleWithFixedDelay(() -> {
            try {
                store.heartbeat(run.id(), clock.instant());
            } catch (Throwable t) {
                log.warn("advice: heartbeat of {} failed", run.id(), t);
            }
        }, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            Instant now = clock.instant();
            AdviceSettings settings = cfg.settings().withWindow(window);
            List<AppTarget> apps = inventory(now, settings.minPodAge());
            long t0 = System.nanoTime();
            AdviceReport report = new Advisor(source, settings, appLabel).run(apps, now);
            if (!apps.isEmpty() && report.failedApps() == apps.size()) {
                store.fail(run.id(), "every app's history failed; first: " + report.firstError(), clock.instant());
                return;
            }
            Map<String, Object> summary = new TreeMap<>();
            summary.put("apps", apps.size());
            summary.put("failedApps", report.failedApps());
            summary.put("advice", report.advice().size());
            summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
            Map<String, Integer> kinds = new TreeMap<>();
            report.advice().forEach(a -> kinds.merge(a.kind(), 1, Integer::sum));
            summary.put("kinds", kinds);
            Map<String, Integer> classes = new TreeMap<>();
            report.profiles().forEach(p -> classes.merge(p.profileClass(), 1, Integer::sum));
            summary.put("classes", classes);
            if (report.firstError() != null) {
                summary.put("firstError", report.firstError());
            }
            if (!store.finish(run.id(), report, summary, clock.instant(), cfg.keepRuns())) {
                log.warn("advice: run {} was marked abandoned before it finished; its result is dropped", run.id());
            }
        } catch (Throwable t) {
            log.error("advice: run {} failed", run.id(), t);
            try {
                store.fail(run.id(), String.valueOf(t), clock.instant());
            } catch (RuntimeException e) {
                log.error("advice: could not record the failure of {}", run.id(), e);
            }
        } finally {
            beat.cancel(false);
        }
    }

    /** The apps of every cluster whose cache can be trusted, as the advisor reads them. */
    List<AppTarget> inventory(Instant now, Duration minPodAge) {
        Map<String, Set<String>> canaries = new HashMap<>(); // cluster → "namespace/name" of active releases' canaries
        for (Release r : releases.active()) {
            r.canaryNames().forEach((pool, name) -> canaries.computeIfAbsent(pool, p -> new HashSet<>()).add(r.spec().namespace() + "/" + name));
        }
        long young = now.getEpochSecond() - minPodAge.toSeconds();
        List<AppTarget> out = new ArrayList<>();
        for (ClusterHandle h : registry.all()) {
            if (h.stale()) {
                continue;
            }
            Set<String> skip = canaries.getOrDefault(h.name(), Set.of());
            Map<String, List<DeploymentRecord>> apps = new TreeMap<>();
            for (DeploymentRecord d : h.cache().deployments().records().values()) {
                if (d.app() != null && !skip.contains(d.key())) {
                    apps.computeIfAbsent(d.namespace() + "/" + d.app(), k -> new ArrayList<>()).add(d);
                }
            }
            Map<String, List<PodRecord>> podsByDeployment = new HashMap<>();
            for (PodRecord p : h.cache().pods().records().values()) {
                if (!p.terminating() && "ReplicaSet".equals(p.ownerKind()) && p.ownerName() != null && p.ownerName().lastIndexOf('-') > 0) {
                    String dep = p.ownerName().substring(0, p.ownerName().lastIndexOf('-'));
                    podsByDeployment.computeIfAbsent(p.namespace() + "/" + dep, k -> new ArrayList<>()).add(p);
                }
            }
            apps.forEach((key, deps) -> {
                List<PodRecord> pods = new ArrayList<>();
                deps.forEach(d -> pods.addAll(podsByDeployment.getOrDefault(d.key(), List.of())));
                if (pods.isEmpty()) {
                    return;
                }
                double cpu = pods.stream().mapToLong(PodRecord::cpuRequestMilli).average().orElse(0) / 1000.0;
                double mem = pods.stream().mapToLong(PodRecord::memoryRequestBytes).average().orElse(0);
                List<String> youngPods = pods.stream().filter(p -> p.createdEpochSecond() > young).map(PodRecord::name).sorted().toList();
                boolean horizontal = deps.stream().anyMatch(d -> "horizontal".equals(d.labels().get(cfg.modeLabel())));
                boolean core = deps.stream().anyMatch(d -> coreValue.equals(d.labels().get(coreKey)));
                DeploymentRecord first = deps.getFirst();
                out.add(new AppTarget(h.name(), h.spec().idc(), first.namespace(), first.app(), deps.stream().map(DeploymentRecord::name).sorted().toList(),
                        youngPods, pods.size(), cpu, mem, horizontal, core));
            });
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        runner.shutdownNow();
    }
}
