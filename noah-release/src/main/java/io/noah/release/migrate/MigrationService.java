package io.noah.release.migrate;

import io.noah.cluster.model.NoahException;
import io.noah.release.Release;
import io.noah.release.ReleaseStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Plans, starts and steers migrations. An app moves in one migration at a time and never while it has an active
 * release (409 both ways: {@link #holder} is what a release checks); a plan whose pods do not all fit is refused
 * unless forced; blockers (no template for a missing target, no target cluster answering) always refuse.
 */
public final class MigrationService {

    private final MigrationStore store;
    private final MigrationPlanner planner;
    private final ReleaseStore releases;
    private final Clock clock;
    private final Runnable wake;

    public MigrationService(MigrationStore store, MigrationPlanner planner, ReleaseStore releases, Clock clock, Runnable wake) {
        this.store = store;
        this.planner = planner;
        this.releases = releases;
        this.clock = clock;
        this.wake = wake;
    }

    /** The plan and the fit check, nothing moved. */
    public MigrationPlanner.Plan plan(Migration.Spec spec) {
        return planner.plan(spec);
    }

    public Migration start(Migration.Spec spec, String actor, String reverseOf) {
        // an app another migration holds is said first: its source may already be empty, which the plan would call unknown
        for (Migration.AppRef a : spec.apps()) {
            String other = holder(a.namespace(), a.app());
            if (other != null) {
                throw new NoahException(NoahException.Reason.CONFLICT, "app " + a.key() + " is already being migrated by " + other);
            }
        }
        MigrationPlanner.Plan plan = planner.plan(spec);
        Set<String> apps = new LinkedHashSet<>();
        plan.moves().forEach(x -> apps.add(x.appKey()));
        for (Release r : releases.active()) {
            String key = r.spec().namespace() + "/" + r.spec().app();
            if (apps.contains(key)) {
                throw new NoahException(NoahException.Reason.CONFLICT, "app " + r.spec().app() + " has an active release (" + r.id() + ", "
                        + r.state().name().toLowerCase() + "): finish or abort it before migrating the app");
            }
        }
        for (String app : apps) {
            String other = holder(app.substring(0, app.indexOf('/')), app.substring(app.indexOf('/') + 1));
            if (other != null) {
                throw new NoahException(NoahException.Reason.CONFLICT, "app " + app + " is already being migrated by " + other);
            }
        }
        if (!plan.blockers().isEmpty()) {
            throw new NoahException(NoahException.Reason.CONFLICT, "the migration cannot start: " + String.join("; ", plan.blockers()));
        }
        if (!plan.fits() && !spec.force()) {
            List<String> shorts = plan.fit().stream().filter(f -> !f.fits()).map(MigrationPlanner.Fit::summary).toList();
            throw new NoahException(NoahException.Reason.CONFLICT, "the pods do not all fit: " + String.join("; ", shorts)
                    + " (dryRun shows the plan; force starts anyway)");
        }
        Instant now = clock.instant();
        String id = "mig-" + UUID.randomUUID().toString().substring(0, 8);
        List<Migration.Step> history = new ArrayList<>();
        history.add(new Migration.Step(now, actor, "planned " + plan.moves().size() + " move(s) of " + apps.size() + " app(s) from " + spec.fromIdc()
                + " to " + spec.toIdc() + (spec.reason() == null ? "" : ": " + spec.reason()), null, null, null, null, null));
        plan.fit().forEach(f -> history.add(new Migration.Step(now, actor, "fit: " + f.summary(), null, null, null, f.cluster(), null)));
        Migration m = new Migration(id, spec, Migration.State.RUNNING, plan.moves(), history, actor, now, now, null,
                "moving " + apps.size() + " app(s)", reverseOf, 0);
        store.insert(m);
        wake.run();
        return m;
    }

    /** The active migration holding the app (in any pool), or null. */
    public String holder(String namespace, String app) {
        for (Migration m : store.active()) {
            for (Migration.Move x : m.moves()) {
                if (x.namespace().equals(namespace) && x.app().equals(app)) {
                    return "migration " + m.id() + " (" + m.state().name().toLowerCase() + ")";
                }
            }
        }
        return null;
    }

    public Migration require(String id) {
        return store.find(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no migration " + id));
    }

    public List<Migration> list(int limit) {
        return store.list(limit);
    }

    /** pause, resume, abort, rollback; 409 when the state does not allow it or the migration changed meanwhile. */
    public Migration act(String id, String action, String actor, String reason) {
        Migration m = require(id);
        Instant now = clock.instant();
        Migration.State to;
        switch (action) {
            case "pause" -> {
                require(m, action, Migration.State.RUNNING, Migration.State.ROLLING_BACK);
                to = Migration.State.PAUSED;
            }
            case "resume" -> {
                require(m, action, Migration.State.PAUSED);
                boolean back = m.moves().stream().anyMatch(x -> x.phase() == Migration.Phase.BACK_UP || x.phase() == Migration.Phase.BACK_DOWN
                        || x.phase() == Migration.Phase.ROLLED_BACK);
                to = back ? Migration.State.ROLLING_BACK : Migration.State.RUNNING;
                // a resumed batch gets a new deadline
                List<Migration.Move> moves = m.moves().stream().map(x -> x.phase() == Migration.Phase.UP
                        ? x.with(x.phase(), x.moved(), x.batch(), now, x.reconcile(), x.error()) : x).toList();
                m = m.withMoves(moves, now);
            }
            case "abort" -> {
                require(m, action, Migration.State.RUNNING, Migration.State.PAUSED, Migration.State.ROLLING_BACK, Migration.State.RECONCILING);
                to = Migration.State.ABORTED;
            }
            case "rollback" -> {
                require(m, action, Migration.State.RUNNING, Migration.State.PAUSED);
                to = Migration.State.ROLLING_BACK;
            }
            default -> throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, "action", "unknown action " + action);
        }
        String why = action + " by " + actor + (reason == null ? "" : ": " + reason);
        Migration next = m.withState(to, why, now).recorded(List.of(new Migration.Step(now, actor, why, null, null, null, null, null)));
        if (!store.update(next, null)) {
            throw new NoahException(NoahException.Reason.CONFLICT, "migration " + id + " changed meanwhile; read it and try again");
        }
        wake.run();
        return next.withVersion(next.version() + 1);
    }

    /** A new migration back to the original IDC of a finished one, for the same apps. */
    public Migration reverse(String id, String actor, String reason) {
        Migration m = require(id);
        if (m.state() != Migration.State.SUCCEEDED) {
            throw new NoahException(NoahException.Reason.CONFLICT, "migration " + id + " is " + m.state().name().toLowerCase()
                    + ": only a succeeded migration is reversed (rollback one that runs)");
        }
        Set<Migration.AppRef> apps = new LinkedHashSet<>();
        m.moves().stream().sorted(java.util.Comparator.comparingInt(Migration.Move::order))
                .forEach(x -> apps.add(new Migration.AppRef(x.namespace(), x.app())));
        Set<String> sources = new LinkedHashSet<>();
        m.moves().forEach(x -> sources.add(x.source()));
        Migration.Spec s = m.spec();
        Migration.Spec back = new Migration.Spec(List.copyOf(apps), false, s.toIdc(), s.fromIdc(), List.copyOf(sources), s.batchSize(),
                s.batchDeadline(), s.onDeadline(), s.concurrency(), List.of(), s.priorityLabel(), s.force(),
                reason != null ? reason : "reverse of " + id);
        return start(back, actor, id);
    }

    private static void require(Migration m, String action, Migration.State... allowed) {
        for (Migration.State s : allowed) {
            if (m.state() == s) {
                return;
            }
        }
        throw new NoahException(NoahException.Reason.CONFLICT, "cannot " + action + " migration " + m.id() + ": it is " + m.state().name().toLowerCase());
    }
}
