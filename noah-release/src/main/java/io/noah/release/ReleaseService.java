package io.noah.release;

import io.noah.cluster.cache.TemplatePrint;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.query.LabelSelector;
import io.noah.cluster.registry.ClusterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Starting releases (validated up front) and the gate actions, each recorded with actor and reason. */
public final class ReleaseService {

    private final ReleaseStore store;
    private final DeploymentOps ops;
    private final ClusterRegistry registry;
    private final Clock clock;
    private final String appLabel;
    private final Runnable wakeExecutor;

    public ReleaseService(ReleaseStore store, DeploymentOps ops, ClusterRegistry registry, Clock clock, String appLabel,
                          Runnable wakeExecutor) {
        this.store = store;
        this.ops = ops;
        this.registry = registry;
        this.clock = clock;
        this.appLabel = appLabel;
        this.wakeExecutor = wakeExecutor;
    }

    public Release start(ReleaseSpec spec, String actor, String reason) {
        validate(spec);
        Map<String, String> running = new LinkedHashMap<>();
        Map<String, String> canary = new LinkedHashMap<>();
        Map<String, Integer> totals = new LinkedHashMap<>();
        Map<String, Map<String, TemplatePrint>> prints = new LinkedHashMap<>();
        String canaryName = (spec.app() + "-" + spec.version()).toLowerCase().replaceAll("[^a-z0-9-]", "-");
        if (canaryName.length() > 63) {
            canaryName = canaryName.substring(0, 63);
        }
        canaryName = canaryName.replaceAll("-+$", "");
        for (String pool : spec.pools()) {
            ClusterSpec cs = registry.require(pool).spec();
            if (cs.maintenance()) {
                throw NoahException.invalid(NoahException.Reason.CLUSTER_IN_MAINTENANCE, "pools",
                        "pool " + pool + " is in maintenance: no release touches it");
            }
            List<DeploymentOps.State> deployments = ops.byApp(pool, spec.namespace(), appLabel, spec.app());
            if (deployments.isEmpty()) {
                if (spec.newAppReplicas() == null) {
                    throw NoahException.invalid(NoahException.Reason.NOT_FOUND, "app",
                            "app " + spec.app() + " has no Deployment in namespace " + spec.namespace() + " of pool " + pool
                                    + "; to create it in batches, give replicas");
                }
                // a new app: its first Deployment is the canary, created in batches; nothing runs yet
                canary.put(pool, canaryName);
                totals.put(pool, spec.newAppReplicas());
                continue;
            }
            if (deployments.size() > 1) {
                throw new NoahException(NoahException.Reason.CONFLICT, "app " + spec.app() + " has " + deployments.size()
                        + " Deployments in pool " + pool + " (" + deployments.stream().map(DeploymentOps.State::name).toList()
                        + "): finish or clean up the earlier release first");
            }
            DeploymentOps.State d = deployments.getFirst();
            if (d.name().equals(canaryName)) {
                throw new NoahException(NoahException.Reason.CONFLICT, "pool " + pool + " already runs version " + spec.version()
                        + " (Deployment " + d.name() + ")");
            }
            List<String> containers = ops.containers(pool, spec.namespace(), d.name());
            java.util.Set<String> changed = new java.util.LinkedHashSet<>(spec.images().keySet());
            if (spec.env() != null) {
                changed.addAll(spec.env().keySet());
            }
            if (spec.resources() != null) {
                changed.addAll(spec.resources().keySet());
            }
            for (String c : changed) {
                if (!containers.contains(c)) {
                    throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "images",
                            "Deployment " + d.name() + " in pool " + pool + " has no container '" + c + "' (it has " + containers + ")");
                }
            }
            running.put(pool, d.name());
            prints.put(pool, Map.of("running", d.template())); // a change by hand from here on pauses the release
            canary.put(pool, canaryName);
            totals.put(pool, d.replicas());
        }
        Plan plan = spec.spanPools() ? Plan.spanning(spec.pools(), totals, spec.batches(), spec.percent())
                : Plan.perPool(spec.pools(), totals, spec.batches(), spec.percent());
        Instant now = clock.instant();
        Release r = new Release(UUID.randomUUID().toString(), spec, plan, running, canary, ReleaseState.RUNNING, null, 0, 1, now,
                reason, Map.of(), actor, now, now, null, 0, prints);
        store.insert(r, new ReleaseStore.Transition(actor, "created", null, reason));
        wakeExecutor.run();
        return r;
    }

    public Release promote(String id, String actor, String reason) {
        return act(id, actor, reason, "promoted", r -> {
            require(r, r.state() == ReleaseState.WAITING, "promote", "waiting for the gate");
            return r.with(ReleaseState.RUNNING, r.step(), r.step() + 1, clock.instant(), reason);
        });
    }

    public Release pause(String id, String actor, String reason) {
        return act(id, actor, reason, "paused", r -> {
            require(r, r.state() == ReleaseState.RUNNING || r.state() == ReleaseState.WAITING || r.state() == ReleaseState.ROLLING_BACK,
                    "pause", "running, waiting or rolling back");
            return r.pausedFrom(r.state(), reason == null ? "paused by " + actor : reason);
        });
    }

    public Release resume(String id, String actor, String reason) {
        return act(id, actor, reason, "resumed", r -> {
            require(r, r.state() == ReleaseState.PAUSED, "resume", "paused");
            // an outside change was accepted by resuming: Noah takes over from what it finds now (replica counts,
            // templates) and drives it to the step's targets (a deleted canary is created again). Paused at a gate, the
            // current step is applied again, then the release waits at the gate as before.
            ReleaseState from = r.resumeTo() == null ? ReleaseState.RUNNING : r.resumeTo();
            ReleaseState to = from == ReleaseState.WAITING ? ReleaseState.RUNNING : from;
            int target = from == ReleaseState.WAITING ? r.step() : r.target();
            return new Release(r.id(), r.spec(), r.plan(), r.runningNames(), r.canaryNames(), to, null, r.step(), target,
                    clock.instant(), reason, Map.of(), r.createdBy(), r.createdAt(), r.updatedAt(), null, r.version(), Map.of(), r.basePlan());
        });
    }

    public Release abort(String id, String actor, String reason) {
        return act(id, actor, reason, "aborted", r -> {
            require(r, !r.state().terminal(), "abort", "active");
            return r.finished(ReleaseState.ABORTED, clock.instant(), reason);
        });
    }

    public Release rollback(String id, boolean fast, String actor, String reason) {
        return act(id, actor, reason, fast ? "rollback-fast" : "rollback", r -> {
            require(r, !r.state().terminal(), "roll back", "active");
            return r.with(ReleaseState.ROLLING_BACK, r.step(), fast ? 0 : r.step(), clock.instant(), reason);
        });
    }

    private Release act(String id, String actor, String reason, String event, java.util.function.UnaryOperator<Release> change) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Release r = store.get(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no release " + id));
            Release next = change.apply(r);
            var stored = store.update(next, null, new ReleaseStore.Transition(actor, event, r.state(), reason));
            if (stored.isPresent()) {
                wakeExecutor.run();
                return stored.get();
            }
        }
        throw new NoahException(NoahException.Reason.CONFLICT, "release " + id + " is changing; try again");
    }

    private static void require(Release r, boolean ok, String action, String needed) {
        if (!ok) {
            throw new NoahException(NoahException.Reason.CONFLICT,
                    "cannot " + action + " release " + r.id() + ": it is " + r.state().name().toLowerCase() + ", it must be " + needed);
        }
    }

    private void validate(ReleaseSpec s) {
        if (s.app() == null || s.app().isBlank() || !LabelSelector.isValidValue(s.app())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "app", "app must be a label value, got " + s.app());
        }
        ClusterSpec.requireDnsLabel("namespace", s.namespace());
        if (s.version() == null || s.version().isBlank() || !LabelSelector.isValidValue(s.version())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "version", "version must be a label value, got " + s.version());
        }
        if (s.images() == null || s.images().isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "images", "images: at least one container → image");
        }
        s.images().forEach((c, i) -> {
            if (i == null || i.isBlank()) {
                throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "images", "the image of container " + c + " is empty");
            }
        });
        if (s.resources() != null) {
            s.resources().forEach((container, r) -> r.forEach((kind, quantities) -> {
                if (!kind.equals("requests") && !kind.equals("limits")) {
                    throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "resources",
                            "resources of " + container + ": only 'requests' and 'limits', got '" + kind + "'");
                }
                quantities.forEach((name, q) -> {
                    if (q == null || !q.matches("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")) {
                        throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "resources",
                                "resources of " + container + ": '" + q + "' is not a quantity for " + name);
                    }
                });
            }));
        }
        if (s.pools() == null || s.pools().isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "pools", "pools: at least one");
        }
        for (String p : s.pools()) {
            if (registry.get(p).isEmpty()) {
                throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, "pools", "no pool (cluster) named " + p);
            }
        }
        if (s.batchDeadline().compareTo(Duration.ofSeconds(5)) < 0) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "batchDeadline", "batchDeadline must be at least 5s");
        }
        if (s.gate() == ReleaseSpec.Gate.AUTO && (s.autoGateAfter() == null || s.autoGateAfter().isNegative())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "autoGateAfter", "an automatic gate needs autoGateAfter");
        }
    }
}
