package io.noah.release.migrate;

import io.noah.cluster.health.Loops;
import io.noah.cluster.ops.DeploymentOps;
import io.noah.cluster.registry.ClusterHandle;
import io.noah.cluster.registry.ClusterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs migrations, make-before-break: every tick, the migrations this instance holds by lease (claimed when free or
 * expired, so a restarted or another instance goes on from the stored progress) advance. Per move and batch: the target
 * is scaled to its batch's count and must become Ready; only then is the source scaled down by as many. Every write
 * sets an absolute replica count computed from the stored progress, so a step done again after a crash scales nothing
 * twice. A source that does not answer is not waited for: its batch is committed on the target side alone and the move
 * is marked to reconcile; once every pod is in the target the migration reconciles (scales each such source down as
 * soon as it answers again). Apps start in priority order, at most {@code concurrency} at once. A batch that is not
 * Ready by its deadline pauses the migration or rolls it back batch by batch (source up and Ready before target down).
 */
public final class MigrationExecutor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MigrationExecutor.class);
    public static final String ACTOR = "noah:migration";

    private final MigrationStore store;
    private final DeploymentOps ops;
    private final ClusterRegistry registry;
    private final Clock clock;
    private final String instance;
    private final Duration lease;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-migrations").daemon().factory());
    private final Runnable guarded;

    public MigrationExecutor(MigrationStore store, DeploymentOps ops, ClusterRegistry registry, Clock clock, String instance, Duration lease,
                             Duration tick, Loops loops) {
        this.store = store;
        this.ops = ops;
        this.registry = registry;
        this.clock = clock;
        this.instance = instance;
        this.lease = lease;
        this.guarded = loops.guard("migrations", this::tick);
        timer.scheduleWithFixedDelay(guarded, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void wake() {
        timer.execute(guarded);
    }

    void tick() {
        RuntimeException first = null;
        for (Migration m : store.claim(instance, lease)) {
            if (m.state() == Migration.State.PAUSED) {
                continue;
            }
            try {
                Migration next = step(m);
                if (next != m && !store.update(next, instance)) {
                    log.info("migration {} changed under this step (an action, another holder): done again next tick", m.id());
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private boolean answers(String cluster) {
        Optional<ClusterHandle> h = registry.get(cluster);
        return h.isPresent() && h.get().health().reachable();
    }

    Migration step(Migration m) {
        Instant now = clock.instant();
        List<Migration.Step> steps = new ArrayList<>();
        List<Migration.Move> moves = new ArrayList<>(m.moves());
        Migration next = switch (m.state()) {
            case RUNNING -> running(m, moves, steps, now);
            case ROLLING_BACK -> rollingBack(m, moves, steps, now);
            case RECONCILING -> reconciling(m, moves, steps, now);
            default -> m;
        };
        // nothing changed (waiting for pods): nothing to store
        return steps.isEmpty() && next.moves().equals(m.moves()) && next.state() == m.state() ? m : next.recorded(steps);
    }

    private Migration running(Migration m, List<Migration.Move> moves, List<Migration.Step> steps, Instant now) {
        // apps to start: in priority order while fewer than the cap are moving
        Set<String> moving = new LinkedHashSet<>();
        Set<String> pending = new LinkedHashSet<>();
        moves.stream().sorted(java.util.Comparator.comparingInt(Migration.Move::order)).forEach(x -> {
            if (x.phase().active()) {
                moving.add(x.appKey());
            } else if (x.phase() == Migration.Phase.PENDING) {
                pending.add(x.appKey());
            }
        });
        for (String app : pending) {
            if (moving.size() >= Math.max(1, m.spec().concurrency())) {
                break;
            }
            moving.add(app);
            for (int i = 0; i < moves.size(); i++) {
                Migration.Move x = moves.get(i);
                if (x.appKey().equals(app) && x.phase() == Migration.Phase.PENDING) {
                    moves.set(i, start(m, x, steps, now));
                }
            }
        }
        for (int i = 0; i < moves.size(); i++) {
            Migration.Move x = moves.get(i);
            if (x.phase() == Migration.Phase.UP || x.phase() == Migration.Phase.DOWN) {
                Migration.Move y = advance(m, x, steps, now);
                if (y == null) { // the batch missed its deadline
                    Duration d = m.spec().batchDeadline();
                    String why = "batch " + x.batch() + " of " + x.appKey() + " (" + x.deployment() + " in " + x.target() + ") was not Ready within "
                            + d.toSeconds() + " s";
                    steps.add(new Migration.Step(now, ACTOR, "deadline: " + why, x.app(), null, null, x.target(), x.targetWanted()));
                    Migration out = m.withMoves(moves, now);
                    return m.spec().onDeadline() == Migration.OnDeadline.ROLLBACK
                            ? out.withState(Migration.State.ROLLING_BACK, why + "; rolling back batch by batch", now)
                            : out.withState(Migration.State.PAUSED, why + "; paused (resume to wait longer, rollback to go back)", now);
                }
                moves.set(i, y);
            }
        }
        Migration out = m.withMoves(moves, now);
        if (moves.stream().allMatch(x -> x.phase() == Migration.Phase.DONE)) {
            long left = moves.stream().filter(Migration.Move::reconcile).count();
            return left == 0 ? out.withState(Migration.State.SUCCEEDED, "every pod is in " + m.spec().toIdc(), now)
                    : out.withState(Migration.State.RECONCILING, "every pod is in " + m.spec().toIdc() + "; " + left
                    + " source Deployment(s) did not answer and keep replicas until their cluster returns", now);
        }
        return out;
    }

    private Migration.Move start(Migration m, Migration.Move x, List<Migration.Step> steps, Instant now) {
        if (x.template() != null && ops.state(x.target(), x.namespace(), x.deployment()).isEmpty()) {
            ops.createCopy(x.target(), x.namespace(), x.template(), Map.of("noah.io/migration", m.id()));
            steps.add(new Migration.Step(now, ACTOR, "created " + x.deployment() + " from the source's template", x.app(), x.source(), null,
                    x.target(), 0));
        }
        Migration.Move y = x.with(Migration.Phase.UP, x.moved(), 1, now, x.reconcile(), null);
        ops.scale(y.target(), y.namespace(), y.deployment(), y.targetWanted());
        steps.add(new Migration.Step(now, ACTOR, "batch 1: target up", y.app(), y.source(), null, y.target(), y.targetWanted()));
        return y;
    }

    /** One move one step further; null when its batch missed the deadline. */
    private Migration.Move advance(Migration m, Migration.Move x, List<Migration.Step> steps, Instant now) {
        int next = Math.min(x.total(), x.moved() + x.batchSize());
        int sourceWanted = x.total() - next;
        try {
            if (x.phase() == Migration.Phase.UP) {
                var t = ops.state(x.target(), x.namespace(), x.deployment()).orElseThrow(() -> new IllegalStateException(
                        "the target Deployment " + x.deployment() + " is gone from " + x.target()));
                if (t.replicas() != x.targetWanted()) {
                    ops.scale(x.target(), x.namespace(), x.deployment(), x.targetWanted());
                    return x;
                }
                if (!t.readyAt(x.targetWanted())) {
                    Duration d = m.spec().batchDeadline();
                    if (d != null && x.batchStartedAt() != null && now.isAfter(x.batchStartedAt().plus(d))) {
                        return null;
                    }
                    return x;
                }
                if (!answers(x.source())) {
                    steps.add(new Migration.Step(now, ACTOR, "batch " + x.batch() + ": target Ready; the source does not answer: to reconcile",
                            x.app(), x.source(), null, x.target(), x.targetWanted()));
                    return commit(x, next, true, steps, now);
                }
                ops.scale(x.source(), x.namespace(), x.deployment(), sourceWanted);
                steps.add(new Migration.Step(now, ACTOR, "batch " + x.batch() + ": target Ready, source down", x.app(), x.source(), sourceWanted,
                        x.target(), x.targetWanted()));
                return x.with(Migration.Phase.DOWN, x.moved(), x.batch(), x.batchStartedAt(), x.reconcile(), null);
            }
            // DOWN
            if (!answers(x.source())) {
                steps.add(new Migration.Step(now, ACTOR, "batch " + x.batch() + ": the source stopped answering: to reconcile", x.app(), x.source(),
                        null, x.target(), x.targetWanted()));
                return commit(x, next, true, steps, now);
            }
            var s = ops.state(x.source(), x.namespace(), x.deployment());
            if (s.isEmpty()) {
                return commit(x, next, x.reconcile(), steps, now);
            }
            if (s.get().replicas() != sourceWanted) {
                ops.scale(x.source(), x.namespace(), x.deployment(), sourceWanted);
                return x;
            }
            return s.get().scaledDownTo(sourceWanted) ? commit(x, next, x.reconcile(), steps, now) : x;
        } catch (RuntimeException e) {
            if (!answers(x.target())) {
                return x.with(x.phase(), x.moved(), x.batch(), x.batchStartedAt(), x.reconcile(), "the target " + x.target() + " does not answer");
            }
            throw e;
        }
    }

    private Migration.Move commit(Migration.Move x, int next, boolean reconcile, List<Migration.Step> steps, Instant now) {
        if (next >= x.total()) {
            steps.add(new Migration.Step(now, ACTOR, "done: " + x.total() + " pods moved", x.app(), x.source(), reconcile ? null : 0, x.target(),
                    x.targetBase() + x.total()));
            return x.with(Migration.Phase.DONE, next, x.batch(), x.batchStartedAt(), reconcile, null);
        }
        Migration.Move y = x.with(Migration.Phase.UP, next, x.batch() + 1, now, reconcile, null);
        ops.scale(y.target(), y.namespace(), y.deployment(), y.targetWanted());
        steps.add(new Migration.Step(now, ACTOR, "batch " + y.batch() + ": target up", y.app(), y.source(), reconcile ? null : x.total() - next,
                y.target(), y.targetWanted()));
        return y;
    }

    private Migration rollingBack(Migration m, List<Migration.Move> moves, List<Migration.Step> steps, Instant now) {
        for (int i = 0; i < moves.size(); i++) {
            Migration.Move x = moves.get(i);
            moves.set(i, back(x, steps, now));
        }
        Migration out = m.withMoves(moves, now);
        if (moves.stream().allMatch(x -> x.phase() == Migration.Phase.ROLLED_BACK)) {
            return out.withState(Migration.State.ROLLED_BACK, "every pod is back in " + m.spec().fromIdc(), now);
        }
        return out;
    }

    private Migration.Move back(Migration.Move x, List<Migration.Step> steps, Instant now) {
        switch (x.phase()) {
            case PENDING, ROLLED_BACK -> {
                return x.phase() == Migration.Phase.PENDING ? x.with(Migration.Phase.ROLLED_BACK, 0, x.batch(), x.batchStartedAt(), false, null) : x;
            }
            case UP -> {
                // the batch in flight is undone first: the target back to what is committed
                ops.scale(x.target(), x.namespace(), x.deployment(), x.targetBase() + x.moved());
                steps.add(new Migration.Step(now, ACTOR, "rollback: batch " + x.batch() + " in flight undone", x.app(), x.source(), null,
                        x.target(), x.targetBase() + x.moved()));
                return x.moved() == 0 ? x.with(Migration.Phase.ROLLED_BACK, 0, x.batch(), now, false, null)
                        : x.with(Migration.Phase.BACK_UP, x.moved(), x.batch() - 1, now, x.reconcile(), null);
            }
            case DOWN, DONE -> {
                int moved = x.phase() == Migration.Phase.DOWN ? Math.min(x.total(), x.moved() + x.batchSize()) : x.moved();
                return x.with(Migration.Phase.BACK_UP, moved, x.batch(), now, x.reconcile(), null);
            }
            default -> {
            }
        }
        int keep = Math.max(0, x.moved() - x.batchSize());
        int sourceWanted = x.total() - keep;
        if (!answers(x.source())) {
            return x.with(x.phase(), x.moved(), x.batch(), x.batchStartedAt(), x.reconcile(), "the source " + x.source()
                    + " does not answer: the rollback waits for it");
        }
        if (x.phase() == Migration.Phase.BACK_UP) {
            var s = ops.state(x.source(), x.namespace(), x.deployment()).orElseThrow(() -> new IllegalStateException(
                    "the source Deployment " + x.deployment() + " is gone from " + x.source()));
            if (s.replicas() != sourceWanted) {
                ops.scale(x.source(), x.namespace(), x.deployment(), sourceWanted);
                steps.add(new Migration.Step(now, ACTOR, "rollback: source up", x.app(), x.source(), sourceWanted, x.target(), null));
                return x;
            }
            if (!s.readyAt(sourceWanted)) {
                return x;
            }
            ops.scale(x.target(), x.namespace(), x.deployment(), x.targetBase() + keep);
            steps.add(new Migration.Step(now, ACTOR, "rollback: source Ready, target down", x.app(), x.source(), sourceWanted, x.target(),
                    x.targetBase() + keep));
            return x.with(Migration.Phase.BACK_DOWN, x.moved(), x.batch(), x.batchStartedAt(), x.reconcile(), null);
        }
        // BACK_DOWN
        var t = ops.state(x.target(), x.namespace(), x.deployment());
        if (t.isPresent() && !t.get().scaledDownTo(x.targetBase() + keep)) {
            if (t.get().replicas() != x.targetBase() + keep) {
                ops.scale(x.target(), x.namespace(), x.deployment(), x.targetBase() + keep);
            }
            return x;
        }
        return keep == 0 ? x.with(Migration.Phase.ROLLED_BACK, 0, x.batch(), now, false, null)
                : x.with(Migration.Phase.BACK_UP, keep, x.batch() - 1, now, x.reconcile(), null);
    }

    private Migration reconciling(Migration m, List<Migration.Move> moves, List<Migration.Step> steps, Instant now) {
        for (int i = 0; i < moves.size(); i++) {
            Migration.Move x = moves.get(i);
            if (!x.reconcile() || !answers(x.source())) {
                continue;
            }
            int wanted = x.total() - x.moved();
            var s = ops.state(x.source(), x.namespace(), x.deployment());
            if (s.isPresent() && s.get().replicas() != wanted) {
                ops.scale(x.source(), x.namespace(), x.deployment(), wanted);
                steps.add(new Migration.Step(now, ACTOR, "reconciled: the source answers again, its leftover replicas scaled down", x.app(),
                        x.source(), wanted, x.target(), null));
                continue;
            }
            if (s.isEmpty() || s.get().scaledDownTo(wanted)) {
                moves.set(i, x.with(x.phase(), x.moved(), x.batch(), x.batchStartedAt(), false, null));
            }
        }
        Migration out = m.withMoves(moves, now);
        return moves.stream().noneMatch(Migration.Move::reconcile)
                ? out.withState(Migration.State.SUCCEEDED, "every pod is in " + m.spec().toIdc() + " and every source reconciled", now) : out;
    }

    /** The apps an active migration holds, per pool: "pool/namespace/app" → migration id. */
    public static Map<String, String> held(List<Migration> active) {
        Map<String, String> out = new java.util.HashMap<>();
        for (Migration m : active) {
            for (Migration.Move x : m.moves()) {
                out.put(x.source() + "/" + x.namespace() + "/" + x.app(), m.id());
                out.put(x.target() + "/" + x.namespace() + "/" + x.app(), m.id());
            }
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
