package io.noah.hpa;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The autoscaler's decision for one pool of one app, pure: per-pod samples of every strategy, the rules and the last
 * scale times in; the replica count and why out. The seed's rules ({@code desired = ceil(Σ per-pod value / target)},
 * tolerance, cooldowns, the frustrated level) with the Kubernetes HPA's rules for missing, unready and starting pods,
 * a scale-up rate limit and min/max clamps. Everything it did is in the {@link Decision}.
 */
public final class Calculator {

    /** Float noise: 1.05 × target computed from samples may come out as 1.0500000000000003. */
    private static final double EPSILON = 1e-9;

    private Calculator() {
    }

    /** How a strategy measures: utilisation of requests (target 0.5 = 50 %), or a plain value per pod (req/s, bytes/s). */
    public enum Kind { UTILIZATION, AVERAGE_VALUE }

    public record Strategy(String name, Kind kind, double target, boolean cpu) {
        public Strategy {
            if (!(target > 0)) {
                throw new IllegalArgumentException("target must be > 0, got " + target);
            }
        }
    }

    /**
     * One pod as a strategy sees it: {@code value} is null when the metric source had nothing for it; {@code request}
     * is its request of the strategy's resource (utilisation strategies); {@code startedAt} drives the CPU
     * initialisation period.
     */
    public record PodSample(String pod, boolean ready, Instant startedAt, Double value, double request, Instant readySince) {
        /** A pod whose readiness time is not known: while starting, its CPU is not counted. */
        public PodSample(String pod, boolean ready, Instant startedAt, Double value, double request) {
            this(pod, ready, startedAt, value, request, null);
        }
    }

    /** A strategy's samples this tick, or the metric source's error (then the strategy has no result). */
    public record Input(Strategy strategy, List<PodSample> pods, String error) {
        public static Input of(Strategy strategy, List<PodSample> pods) {
            return new Input(strategy, pods, null);
        }

        public static Input failed(Strategy strategy, String error) {
            return new Input(strategy, List.of(), error);
        }
    }

    /**
     * The rules. Tolerances per direction (0.05: within 5 % of the target nothing changes); cooldowns: no scale-up
     * within {@code upCooldown} of the last scale-up unless above {@code frustration} × target, no scale-down within
     * {@code downCooldown} of the last scale in either direction; scale-up limited to the larger of
     * +{@code upLimitPercent} % and +{@code upLimitPods} per decision; the CPU of a pod younger than
     * {@code cpuInitialization} is counted only once it has been ready for {@code readySettle} (the metric window: its
     * rate then covers only ready time), as the Kubernetes HPA does.
     */
    public record Rules(double toleranceUp, double toleranceDown, Duration upCooldown, Duration downCooldown, double frustration,
                        int min, int max, int upLimitPods, int upLimitPercent, Duration cpuInitialization, Duration readySettle) {

        public Rules {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("0 <= min <= max, got " + min + ", " + max);
            }
        }

        /** The seed's defaults: 5 % both ways, 3 min up, 5 min down, 1.4 × target, +100 % or +4, 5 min CPU start-up. */
        public static Rules seed(int min, int max) {
            return new Rules(0.05, 0.05, Duration.ofMinutes(3), Duration.ofMinutes(5), 1.4, min, max, 4, 100, Duration.ofMinutes(5),
                    Duration.ofMinutes(1));
        }

        public Rules withReadySettle(Duration d) {
            return new Rules(toleranceUp, toleranceDown, upCooldown, downCooldown, frustration, min, max, upLimitPods, upLimitPercent,
                    cpuInitialization, d);
        }
    }

    /** When this pool was last scaled by the autoscaler (null: never). */
    public record History(Instant lastScaleUp, Instant lastScaleDown) {
        public static final History NONE = new History(null, null);

        /** These times after a scale at {@code at} ({@code up}: a scale-up). */
        public History after(boolean up, Instant at) {
            return up ? new History(at, lastScaleDown) : new History(lastScaleUp, at);
        }

        Instant lastScale() {
            if (lastScaleUp == null) {
                return lastScaleDown;
            }
            return lastScaleDown == null || lastScaleUp.isAfter(lastScaleDown) ? lastScaleUp : lastScaleDown;
        }
    }

    /**
     * One strategy's outcome: {@code ratio} is the average per-pod value over the target (1.0: on target), {@code desired}
     * its replica count (null when it has none: {@code invalid} says why); the pods counted, missing and ignored.
     */
    public record StrategyResult(String name, double ratio, Integer desired, int counted, int missing, int ignored, String invalid) {
    }

    public enum Reason {
        /** Every strategy is within its tolerance (or wants the current count). */
        WITHIN_TOLERANCE,
        SCALE_UP,
        /** Scaled up inside the up cooldown: the load is above the frustrated level. */
        FRUSTRATED_SCALE_UP,
        SCALE_DOWN,
        /** A scale-up waits for the up cooldown (the load is under the frustrated level). */
        UP_COOLDOWN,
        /** A scale-down waits for the down cooldown. */
        DOWN_COOLDOWN,
        /** A scale-down is never made while some strategy has no data. */
        PARTIAL_DATA,
        /** No strategy has data: nothing changes. */
        NO_METRICS,
        /** Clamped to min or max. */
        CLAMPED
    }

    /**
     * {@code proposed}: the largest strategy result; {@code desired}: after cooldowns, the rate limit and clamps;
     * {@code rateLimited}/{@code clamped}: what those did.
     */
    public record Decision(int current, int proposed, int desired, Reason reason, List<StrategyResult> results, boolean rateLimited,
                           boolean clamped, String explanation) {
    }

    public static Decision decide(int current, List<Input> inputs, Rules rules, History history, Instant now) {
        List<StrategyResult> results = new ArrayList<>();
        for (Input in : inputs) {
            results.add(evaluate(current, in, rules, now));
        }
        List<StrategyResult> valid = results.stream().filter(r -> r.desired() != null).toList();
        if (valid.isEmpty()) {
            return clamp(current, current, current, Reason.NO_METRICS, results, false, rules, "no strategy has data");
        }
        StrategyResult winner = valid.stream().max(Comparator.comparingInt(StrategyResult::desired)
                .thenComparingDouble(StrategyResult::ratio)).orElseThrow();
        int proposed = winner.desired();
        if (proposed > current) {
            boolean frustrated = winner.ratio() > rules.frustration() + EPSILON;
            boolean cooling = history.lastScaleUp() != null && now.isBefore(history.lastScaleUp().plus(rules.upCooldown()));
            if (cooling && !frustrated) {
                return clamp(current, proposed, current, Reason.UP_COOLDOWN, results, false, rules, String.format(
                        "%s wants %d at %.2f × target, under the frustrated level %.2f: waits until %s",
                        winner.name(), proposed, winner.ratio(), rules.frustration(), history.lastScaleUp().plus(rules.upCooldown())));
            }
            int limit = (int) Math.max(Math.ceil(current * (1 + rules.upLimitPercent() / 100.0)), current + (long) rules.upLimitPods());
            int desired = Math.min(proposed, limit);
            Reason reason = cooling ? Reason.FRUSTRATED_SCALE_UP : Reason.SCALE_UP;
            return clamp(current, proposed, desired, reason, results, desired < proposed, rules, String.format("%s at %.2f × target wants %d%s",
                    winner.name(), winner.ratio(), proposed, desired < proposed ? ", limited to " + desired + " this time" : ""));
        }
        if (proposed < current) {
            if (valid.size() < results.size()) {
                return clamp(current, proposed, current, Reason.PARTIAL_DATA, results, false, rules,
                        "no scale-down while a strategy has no data: " + results.stream().filter(r -> r.desired() == null)
                                .map(r -> r.name() + " (" + r.invalid() + ")").toList());
            }
            Instant last = history.lastScale();
            if (last != null && now.isBefore(last.plus(rules.downCooldown()))) {
                return clamp(current, proposed, current, Reason.DOWN_COOLDOWN, results, false, rules,
                        "wants " + proposed + ": scale-down waits until " + last.plus(rules.downCooldown()));
            }
            return clamp(current, proposed, proposed, Reason.SCALE_DOWN, results, false, rules, String.format(
                    "every strategy wants %d or fewer (largest: %s at %.2f × target)", proposed, winner.name(), winner.ratio()));
        }
        return clamp(current, proposed, current, Reason.WITHIN_TOLERANCE, results, false, rules, "no strategy wants a change");
    }

    private static Decision clamp(int current, int proposed, int desired, Reason reason, List<StrategyResult> results, boolean rateLimited,
                                  Rules rules, String why) {
        int clamped = Math.max(rules.min(), Math.min(rules.max(), desired));
        if (clamped != desired) {
            return new Decision(current, proposed, clamped, Reason.CLAMPED, results, rateLimited, true,
                    why + "; clamped to " + clamped + " (min " + rules.min() + ", max " + rules.max() + ")");
        }
        return new Decision(current, proposed, desired, reason, results, rateLimited, false, why);
    }

    /**
     * One strategy, as the Kubernetes replica calculator does it with the seed's formula: pods that are not ready (or
     * starting, for CPU) are ignored, and counted at 0 when the others say scale up; pods without a value count at the
     * target when the others say scale down and at 0 when they say scale up; a change of direction by those
     * assumptions means no change.
     */
    static StrategyResult evaluate(int current, Input in, Rules rules, Instant now) {
        Strategy s = in.strategy();
        if (in.error() != null) {
            return new StrategyResult(s.name(), 0, null, 0, 0, 0, in.error());
        }
        double sum = 0;
        int counted = 0;
        int missing = 0;
        int ignored = 0;
        for (PodSample p : in.pods()) {
            boolean starting = s.cpu() && p.startedAt() != null && now.isBefore(p.startedAt().plus(rules.cpuInitialization()))
                    && (p.readySince() == null || now.isBefore(p.readySince().plus(rules.readySettle())));
            if (!p.ready() || starting) {
                ignored++;
            } else if (p.value() == null || s.kind() == Kind.UTILIZATION && !(p.request() > 0)) {
                missing++;
            } else {
                sum += s.kind() == Kind.UTILIZATION ? p.value() / p.request() : p.value();
                counted++;
            }
        }
        if (in.pods().isEmpty()) {
            return new StrategyResult(s.name(), 0, null, 0, 0, 0, "no pods");
        }
        if (counted == 0) {
            return new StrategyResult(s.name(), 0, null, 0, missing, ignored, "no value for any ready pod");
        }
        double ratio = sum / counted / s.target();
        boolean rebalanceIgnored = ignored > 0 && ratio > 1;
        if (!rebalanceIgnored && missing == 0) {
            int desired = within(ratio, rules) ? current : (int) Math.ceil(sum / s.target() - EPSILON);
            return new StrategyResult(s.name(), ratio, desired, counted, missing, ignored, null);
        }
        double assumed = sum + (ratio <= 1 ? missing * s.target() : 0);
        int n = counted + missing + (rebalanceIgnored ? ignored : 0);
        double newRatio = assumed / n / s.target();
        if (within(newRatio, rules) || ratio < 1 && newRatio > 1 || ratio > 1 && newRatio < 1) {
            return new StrategyResult(s.name(), ratio, current, counted, missing, ignored, null);
        }
        int desired = (int) Math.ceil(newRatio * n - EPSILON);
        if (newRatio < 1 && desired > current || newRatio > 1 && desired < current) {
            desired = current;
        }
        return new StrategyResult(s.name(), ratio, desired, counted, missing, ignored, null);
    }

    private static boolean within(double ratio, Rules rules) {
        return ratio >= 1 - rules.toleranceDown() - EPSILON && ratio <= 1 + rules.toleranceUp() + EPSILON;
    }
}
