package io.noah.hpa;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.ops.ReplicaOwners;
import io.noah.hpa.metrics.PromQlTemplate;
import io.noah.hpa.metrics.PrometheusClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One policy in one pool, one tick: reads the app's pods from the cache and each strategy's values from the metric
 * source, lets the {@link Calculator} decide, and in enforce mode writes the count when nothing forbids it (a release
 * owning the app's counts, another autoscaler on its Deployment, an unusable pool, no or several Deployments).
 *
 * <p>No double scaling across instances: the last scale times live on the Deployment itself, as annotations written in
 * the same optimistic (resourceVersion) write as the replica count. Before writing, the live Deployment is read and the
 * decision made again with its annotations, so an instance that takes over a policy (its predecessor killed mid-way)
 * honours the cooldown of a scale it never saw, and two writers can never both succeed from the same version.
 */
public final class Evaluator {

    public static final String LAST_SCALE_UP = "autoscaler.noah.io/last-scale-up";
    public static final String LAST_SCALE_DOWN = "autoscaler.noah.io/last-scale-down";
    public static final String POLICY = "autoscaler.noah.io/policy";
    private static final int MAX_PODS_RECORDED = 200;

    private final Pools pools;
    private final MetricSource source;
    private final Map<String, PromQlTemplate> queries;
    private final ReplicaOwners owners;
    /** The metric window: a starting pod's CPU counts once its rate covers only ready time. */
    private final java.time.Duration readySettle;

    /** {@code queries}: the cpu, memory and io templates in force (the configuration's, else {@link io.noah.hpa.metrics.DefaultQueries}). */
    public Evaluator(Pools pools, MetricSource source, Map<String, PromQlTemplate> queries, ReplicaOwners owners,
                     java.time.Duration readySettle) {
        this.readySettle = readySettle;
        this.owners = owners;
        this.pools = pools;
        this.source = source;
        this.queries = Map.copyOf(queries);
    }

    /** What a tick knows before it evaluates: owners of apps' counts, other autoscalers per pool and namespace. */
    public record TickContext(Instant now, Map<String, ReplicaOwners.Owner> owners, Map<String, List<String>> otherAutoscalers, MetricSource source) {
        public TickContext(Instant now, Map<String, ReplicaOwners.Owner> owners, Map<String, List<String>> otherAutoscalers) {
            this(now, owners, otherAutoscalers, null);
        }

        public List<String> others(String pool, String namespace, String deployment) {
            return otherAutoscalers.getOrDefault(pool + "/" + namespace, List.of()).stream()
                    .filter(s -> s.endsWith("→ Deployment " + deployment) || !s.contains("→ Deployment ")).toList();
        }
    }

    /**
     * @param history the last scale times this instance knows for the pool (may lag: the Deployment's annotations decide
     *                before any write)
     */
    public DecisionRecord evaluate(Autoscaler a, String pool, TickContext ctx, Calculator.History history) {
        PolicySpec spec = a.spec();
        String mode = spec.mode().name().toLowerCase();
        Calculator.Rules rules = spec.rules(pool).withReadySettle(readySettle);
        String unavailable = pools.unavailable(pool);
        if (unavailable != null) {
            return frozenOnly(a, pool, ctx.now(), mode, "pool-unavailable", unavailable, rules, history);
        }
        Pools.App app = pools.app(pool, spec.namespace(), spec.app());
        if (app.deployments().isEmpty()) {
            return frozenOnly(a, pool, ctx.now(), mode, "no-deployment", "no Deployment of app " + spec.app() + " in namespace "
                    + spec.namespace(), rules, history);
        }
        ReplicaOwners.Owner owner = ctx.owners().get(ReplicaOwners.key(pool, spec.namespace(), spec.app()));
        String frozenCode = null;
        String frozen = null;
        if (owner != null && !owner.takesTotals()) {
            frozenCode = ownedCode(owner.who());
            frozen = owner.who() + " owns the replica counts until it ends";
        } else if (owner == null && app.deployments().size() > 1) {
            frozenCode = "several-deployments";
            frozen = app.deployments().size() + " Deployments of app " + spec.app() + " (" + app.deployments().stream()
                    .map(DeploymentRecord::name).sorted().collect(Collectors.joining(", ")) + ") and no release owns them";
        }
        String deployment = app.deployments().stream().map(DeploymentRecord::name).sorted().collect(Collectors.joining(","));
        if (frozen == null) {
            List<String> others = app.deployments().stream().flatMap(x -> ctx.others(pool, spec.namespace(), x.name()).stream())
                    .distinct().toList();
            if (!others.isEmpty()) {
                frozenCode = "other-autoscaler";
                frozen = "another autoscaler targets the Deployment: " + String.join("; ", others);
            }
        }
        int current = app.deployments().stream().mapToInt(DeploymentRecord::replicas).sum();
        if (owner != null) {
            // the owner's Deployments together; a total already asked counts as current until the owner has applied it, so
            // it is asked once (a Deployment's replicas likewise count from its spec, not from its pods)
            current = owner.asked() != null ? owner.asked() : current;
            history = latest(history, new Calculator.History(owner.lastUp(), owner.lastDown()));
        }
        Samples samples = samples(spec, pool, app.pods(), ctx.now(), ctx.source() != null ? ctx.source() : source);
        Calculator.Decision d = Calculator.decide(current, samples.inputs, rules, history, ctx.now());
        boolean change = d.desired() != current;
        String reason = code(d.reason());
        boolean applied = false;
        Calculator.History used = history;
        String explanation = d.explanation();
        if (change && frozen != null) {
            reason = frozenCode;
            explanation = "would scale to " + d.desired() + " (" + d.explanation() + "); " + frozen;
        } else if (change && spec.mode() == PolicySpec.Mode.ENFORCE && owner != null) {
            Write w = askOwner(a, pool, app, current, d, ctx.now(), history);
            used = w.history == null ? history : w.history;
            reason = w.conflict != null ? w.conflict : reason;
            explanation = w.why;
            applied = w.applied;
        } else if (change && spec.mode() == PolicySpec.Mode.ENFORCE) {
            Write w = write(a, pool, deployment, current, samples.inputs, rules, ctx.now(), history);
            d = w.decision;
            used = w.history;
            reason = w.conflict != null ? w.conflict : code(d.reason());
            explanation = w.why != null ? w.why : d.explanation();
            applied = w.applied;
        }
        var detail = new DecisionRecord.Detail(deployment, d.proposed(), explanation, frozen, d.rateLimited(), d.clamped(),
                DecisionRecord.RulesView.of(rules), used.lastScaleUp(), used.lastScaleDown(), d.results(), samples.pods,
                samples.errors);
        return new DecisionRecord(0, a.id(), pool, ctx.now(), ctx.now(), 1, mode, reason, current, d.desired(), applied, detail);
    }

    /** {@code conflict}: the reason code when nothing could be written (null: written, or no change after all). */
    private record Write(Calculator.Decision decision, Calculator.History history, boolean applied, String conflict, String why) {
    }

    private static final String CHANGED = "the Deployment changed since it was read; decided again next tick";

    /**
     * The app's counts belong to an owner that takes totals (a running release): the new total is asked of it, and it
     * scales its Deployments itself in its own shares. An Event on each of the app's Deployments says so.
     */
    private Write askOwner(Autoscaler a, String pool, Pools.App app, int current, Calculator.Decision d, Instant now,
                           Calculator.History h) {
        String ns = a.spec().namespace();
        boolean up = d.desired() > current;
        ReplicaOwners.Answer answer = owners.requestTotal(pool, ns, a.spec().app(), d.desired(), up, "autoscaler " + a.id(),
                d.explanation(), now);
        if (!answer.taken()) {
            return new Write(d, null, false, ownedCode(answer.what()), "would scale to " + d.desired() + " (" + d.explanation() + "); "
                    + answer.what());
        }
        for (DeploymentRecord dep : app.deployments()) {
            pools.event(pool, ns, dep.name(), dep.uid(), "Normal", "NoahAutoscaled", "New size of app " + a.spec().app() + ": "
                    + d.desired() + " (was " + current + "); reason: " + d.explanation() + " (policy " + a.id() + "); " + answer.what());
        }
        return new Write(d, h.after(up, now), true, null, d.explanation() + "; " + answer.what());
    }

    /** The later of each scale time. */
    static Calculator.History latest(Calculator.History a, Calculator.History b) {
        return new Calculator.History(later(a.lastScaleUp(), b.lastScaleUp()), later(a.lastScaleDown(), b.lastScaleDown()));
    }

    private static Instant later(Instant x, Instant y) {
        return x == null ? y : y == null ? x : x.isAfter(y) ? x : y;
    }

    /** Decides again with the live Deployment's scale times, and writes optimistically if that still changes the count. */
    private Write write(Autoscaler a, String pool, String name, int current, List<Calculator.Input> inputs, Calculator.Rules rules,
                        Instant now, Calculator.History known) {
        String ns = a.spec().namespace();
        DeploymentOps.Versioned live = pools.live(pool, ns, name).orElse(null);
        if (live == null || live.state().replicas() != current) {
            Calculator.History h = live == null ? Calculator.History.NONE : history(live.state().annotations());
            return new Write(Calculator.decide(current, inputs, rules, h, now), h, false, "write-conflict", CHANGED);
        }
        // the Deployment's scale times, or this instance's when later (scales asked of a release that has ended since)
        Calculator.History h = latest(history(live.state().annotations()), known);
        Calculator.Decision d = Calculator.decide(current, inputs, rules, h, now);
        if (d.desired() == current) {
            return new Write(d, h, false, null, null);
        }
        // a release may have started since the tick began: asked again right before the write (writes are rare); its
        // executor takes the new total from the next tick on
        ReplicaOwners.Owner owner = owners.owners().get(ReplicaOwners.key(pool, ns, a.spec().app()));
        if (owner != null) {
            return new Write(d, h, false, ownedCode(owner.who()), "would scale to " + d.desired() + "; " + owner.who()
                    + " started and owns the replica counts; asked of it from the next tick");
        }
        boolean up = d.desired() > current;
        Map<String, String> annotations = Map.of(up ? LAST_SCALE_UP : LAST_SCALE_DOWN, now.toString(), POLICY, a.id());
        if (!pools.scale(pool, ns, name, live.resourceVersion(), current, d.desired(), annotations)) {
            return new Write(d, h, false, "write-conflict", CHANGED);
        }
        Calculator.History after = h.after(up, now);
        pools.event(pool, ns, name, live.uid(), "Normal", "NoahAutoscaled", "New size: " + d.desired() + "; reason: " + d.explanation()
                + " (policy " + a.id() + ", was " + current + ")");
        return new Write(d, after, true, null, null);
    }

    /** The scale times a Deployment carries (written by whichever instance scaled it). */
    public static Calculator.History history(Map<String, String> annotations) {
        return new Calculator.History(instant(annotations.get(LAST_SCALE_UP)), instant(annotations.get(LAST_SCALE_DOWN)));
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            return null; // edited by hand into something else: as if never scaled
        }
    }

    private record Samples(List<Calculator.Input> inputs, List<DecisionRecord.Pod> pods, Map<String, String> errors) {
    }

    /** Says what this policy's pool will ask the metric source this tick (nothing when the pool cannot be evaluated). */
    void plan(Autoscaler a, String pool, TickMetrics metrics) {
        if (pools.unavailable(pool) != null) {
            return;
        }
        List<String> names = pools.app(pool, a.spec().namespace(), a.spec().app()).pods().stream().map(PodRecord::name).sorted().toList();
        if (names.isEmpty()) {
            return;
        }
        for (PolicySpec.StrategySpec s : a.spec().strategies()) {
            metrics.want(template(s), pool, a.spec().namespace(), names);
        }
    }

    private PromQlTemplate template(PolicySpec.StrategySpec s) {
        return s.type().equals("custom") ? new PromQlTemplate(s.query()) : queries.get(s.type());
    }

    private Samples samples(PolicySpec spec, String pool, List<PodRecord> pods, Instant now, MetricSource source) {
        List<String> names = pods.stream().map(PodRecord::name).sorted().toList();
        List<Calculator.Input> inputs = new ArrayList<>();
        Map<String, String> errors = new TreeMap<>();
        Map<String, Map<String, Double>> valuesByPod = new TreeMap<>();
        for (PolicySpec.StrategySpec s : spec.strategies()) {
            Calculator.Strategy strategy = strategy(s);
            if (names.isEmpty()) {
                inputs.add(Calculator.Input.of(strategy, List.of()));
                continue;
            }
            Map<String, Double> values;
            try {
                values = source.values(template(s), pool, spec.namespace(), names, now);
            } catch (PrometheusClient.SourceException | NoahException | IllegalArgumentException e) {
                errors.put(s.name(), e.getMessage());
                inputs.add(Calculator.Input.failed(strategy, "metric source: " + e.getMessage()));
                continue;
            }
            List<Calculator.PodSample> samples = new ArrayList<>();
            for (PodRecord p : pods) {
                Double v = values.get(p.name());
                double request = s.type().equals("cpu") ? p.cpuRequestMilli() / 1000.0 : s.type().equals("memory") ? p.memoryRequestBytes() : 0;
                samples.add(new Calculator.PodSample(p.name(), p.ready(), Instant.ofEpochSecond(p.createdEpochSecond()), v, request,
                        p.ready() && p.readySinceEpochSecond() > 0 ? Instant.ofEpochSecond(p.readySinceEpochSecond()) : null));
                if (v != null) {
                    valuesByPod.computeIfAbsent(p.name(), k -> new LinkedHashMap<>()).put(s.name(), v);
                }
            }
            inputs.add(Calculator.Input.of(strategy, samples));
        }
        List<DecisionRecord.Pod> recorded = pods.stream().sorted(java.util.Comparator.comparing(PodRecord::name)).limit(MAX_PODS_RECORDED)
                .map(p -> new DecisionRecord.Pod(p.name(), p.ready(), p.cpuRequestMilli() / 1000.0, p.memoryRequestBytes(),
                        valuesByPod.getOrDefault(p.name(), Map.of())))
                .toList();
        return new Samples(inputs, recorded, errors);
    }

    static Calculator.Strategy strategy(PolicySpec.StrategySpec s) {
        return switch (s.type()) {
            case "cpu" -> new Calculator.Strategy(s.name(), Calculator.Kind.UTILIZATION, s.target(), true);
            case "memory" -> new Calculator.Strategy(s.name(), Calculator.Kind.UTILIZATION, s.target(), false);
            default -> new Calculator.Strategy(s.name(), Calculator.Kind.AVERAGE_VALUE, s.target(), false);
        };
    }

    private static DecisionRecord frozenOnly(Autoscaler a, String pool, Instant now, String mode, String code, String why,
                                             Calculator.Rules rules, Calculator.History h) {
        var detail = new DecisionRecord.Detail(null, 0, why, why, false, false, DecisionRecord.RulesView.of(rules), h.lastScaleUp(),
                h.lastScaleDown(), List.of(), List.of(), Map.of());
        return new DecisionRecord(0, a.id(), pool, now, now, 1, mode, code, 0, 0, false, detail);
    }

    static String code(Calculator.Reason r) {
        return r.name().toLowerCase().replace('_', '-');
    }

    /** Why the counts are not the autoscaler's to write: a migration moving the app, or a release. */
    static String ownedCode(String who) {
        return who != null && who.startsWith("migration ") ? "migration-in-progress" : "release-in-progress";
    }
}
