package io.noah.hpa;

import io.noah.cluster.model.NoahException;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Creating, changing and deleting policies: validated up front ({@link PolicySpec#validate}), the app checked against
 * the live Deployments of each pool, and refused (409) when a Kubernetes HPA or a KEDA ScaledObject already scales one
 * of them: two autoscalers on one Deployment undo each other. The loop is woken so a new policy decides at once.
 */
public final class AutoscalerService {

    private final AutoscalerStore store;
    private final Pools pools;
    private final Supplier<Set<String>> knownPools;
    private final Clock clock;
    private final Runnable wake;

    public AutoscalerService(AutoscalerStore store, Pools pools, Supplier<Set<String>> knownPools, Clock clock, Runnable wake) {
        this.store = store;
        this.pools = pools;
        this.knownPools = knownPools;
        this.clock = clock;
        this.wake = wake;
    }

    public Autoscaler create(PolicySpec spec, String actor) {
        check(spec);
        Instant now = clock.instant();
        Autoscaler a = new Autoscaler(UUID.randomUUID().toString(), spec, 1, actor, now, now);
        store.insert(a);
        wake.run();
        return a;
    }

    /** Replaces the spec; app and namespace stay (a policy of another app is another policy). */
    public Autoscaler update(String id, PolicySpec spec) {
        Autoscaler a = require(id);
        if (!a.spec().app().equals(spec.app()) || !a.spec().namespace().equals(spec.namespace())) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "app",
                    "a policy's app and namespace cannot change (" + a.spec().namespace() + "/" + a.spec().app() + "); create another");
        }
        check(spec);
        return store.update(a.withSpec(spec, clock.instant())).map(x -> {
            wake.run();
            return x;
        }).orElseThrow(() -> new NoahException(NoahException.Reason.CONFLICT, "autoscaler " + id + " was changed meanwhile; read it again"));
    }

    public Autoscaler mode(String id, PolicySpec.Mode mode) {
        Autoscaler a = require(id);
        PolicySpec s = a.spec();
        PolicySpec next = new PolicySpec(s.app(), s.namespace(), s.pools(), s.strategies(), s.tuning(), mode);
        return store.update(a.withSpec(next, clock.instant())).map(x -> {
            wake.run();
            return x;
        }).orElseThrow(() -> new NoahException(NoahException.Reason.CONFLICT, "autoscaler " + id + " was changed meanwhile; try again"));
    }

    public void delete(String id) {
        if (!store.delete(id)) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "no autoscaler " + id);
        }
    }

    public Autoscaler require(String id) {
        return store.get(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no autoscaler " + id));
    }

    private void check(PolicySpec spec) {
        spec.validate(knownPools.get());
        Set<String> missing = new HashSet<>();
        for (String pool : spec.pools().keySet()) {
            List<String> deployments = pools.liveDeployments(pool, spec.namespace(), spec.app());
            if (deployments.isEmpty()) {
                missing.add(pool);
                continue;
            }
            List<String> others = pools.otherAutoscalers(pool, spec.namespace(), Set.copyOf(deployments));
            if (!others.isEmpty()) {
                throw new NoahException(NoahException.Reason.AUTOSCALER_CONFLICT, "app " + spec.app() + " in pool " + pool
                        + " is already scaled by " + String.join("; ", others) + ": delete it first, or keep it and no Noah autoscaler");
            }
        }
        if (missing.size() == spec.pools().size()) {
            throw NoahException.invalid(NoahException.Reason.UNKNOWN_APP, "app", "app " + spec.app() + " has no Deployment in namespace "
                    + spec.namespace() + " of " + (missing.size() == 1 ? "pool " : "pools ") + String.join(", ", new java.util.TreeSet<>(missing)));
        }
    }
}
