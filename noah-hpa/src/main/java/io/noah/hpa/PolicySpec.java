package io.noah.hpa;

import io.noah.cluster.model.NoahException;
import io.noah.hpa.metrics.PromQlTemplate;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An autoscaler policy as a caller writes it: an app (its app label) in a namespace, per pool the replica bounds,
 * the strategies with their targets, optional tuning of the seed's rules, and whether it only observes or also
 * scales. {@link #validate} says precisely what is wrong (a code and the field), before anything is stored.
 */
public record PolicySpec(String app, String namespace, Map<String, Bounds> pools, List<StrategySpec> strategies, Tuning tuning,
                         Mode mode) {

    public enum Mode { OBSERVE, ENFORCE }

    /** Replicas of the app in one pool: the autoscaler never goes below {@code min} or above {@code max}. */
    public record Bounds(int min, int max) {
    }

    /**
     * {@code type}: cpu, memory (utilisation of requests: target 0.6 = 60 %), io (bytes per second per pod) or custom
     * ({@code query}: a PromQL template giving a value per pod; target per pod, e.g. requests per second).
     */
    public record StrategySpec(String name, String type, double target, String query) {
    }

    /** Overrides of the seed's rules; null fields keep the defaults ({@link Calculator.Rules#seed}). */
    public record Tuning(Double toleranceUp, Double toleranceDown, Duration upCooldown, Duration downCooldown, Double frustration,
                         Integer upLimitPods, Integer upLimitPercent) {
        public static final Tuning DEFAULTS = new Tuning(null, null, null, null, null, null, null);
    }

    public static final Set<String> TYPES = Set.of("cpu", "memory", "io", "custom");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)");
    private static final Pattern STRATEGY_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    private static final int MAX_REPLICAS = 10_000;
    private static final Duration MAX_COOLDOWN = Duration.ofHours(1);

    /** Checks everything a policy can get wrong; {@code knownPools}: the registered clusters. */
    public void validate(Set<String> knownPools) {
        if (app == null || !LABEL_VALUE.matcher(app).matches()) {
            throw invalid("app", "app must be a label value (the app label of its pods), got " + app);
        }
        if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
            throw invalid("namespace", "namespace must be a DNS label, got " + namespace);
        }
        if (pools == null || pools.isEmpty()) {
            throw invalid("pools", "at least one pool with its bounds is required");
        }
        pools.forEach((pool, b) -> {
            if (!knownPools.contains(pool)) {
                throw NoahException.invalid(NoahException.Reason.UNKNOWN_POOL, "pools." + pool, "pool " + pool + " is not a registered cluster");
            }
            if (b == null || b.min() < 1 || b.max() < b.min() || b.max() > MAX_REPLICAS) {
                throw invalid("pools." + pool, "bounds must be 1 <= min <= max <= " + MAX_REPLICAS + ", got "
                        + (b == null ? "none" : "min " + b.min() + ", max " + b.max()));
            }
        });
        if (strategies == null || strategies.isEmpty()) {
            throw invalid("strategies", "at least one strategy is required (cpu, memory, io or custom)");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < strategies.size(); i++) {
            strategy(i, strategies.get(i), names);
        }
        if (tuning != null) {
            checkTuning();
        }
        if (mode == null) {
            throw invalid("mode", "mode must be observe or enforce");
        }
    }

    private static void strategy(int i, StrategySpec s, Set<String> names) {
        String f = "strategies[" + i + "]";
        if (s == null || s.name() == null || !STRATEGY_NAME.matcher(s.name()).matches()) {
            throw invalid(f + ".name", "a strategy needs a name of lowercase letters, digits and '-'");
        }
        if (!names.add(s.name())) {
            throw invalid(f + ".name", "two strategies are named " + s.name());
        }
        if (s.type() == null || !TYPES.contains(s.type())) {
            throw invalid(f + ".type", "type must be one of cpu, memory, io, custom; got " + s.type());
        }
        boolean utilisation = s.type().equals("cpu") || s.type().equals("memory");
        if (!(s.target() > 0) || utilisation && s.target() > 10 || !Double.isFinite(s.target())) {
            throw invalid(f + ".target", utilisation ? "target is a fraction of the requests, 0 < target <= 10 (0.6 = 60 %), got "
                    + s.target() : "target must be > 0, got " + s.target());
        }
        if (s.type().equals("custom")) {
            try {
                new PromQlTemplate(s.query());
            } catch (PromQlTemplate.Invalid e) {
                throw NoahException.invalid(NoahException.Reason.INVALID_QUERY_TEMPLATE, f + ".query", e.getMessage());
            }
        } else if (s.query() != null) {
            throw invalid(f + ".query", "only a custom strategy takes a query (the " + s.type() + " query is the configuration's)");
        }
    }

    private void checkTuning() {
        range("tuning.toleranceUp", tuning.toleranceUp(), 0, 0.5);
        range("tuning.toleranceDown", tuning.toleranceDown(), 0, 0.5);
        range("tuning.frustration", tuning.frustration(), 1.0, 100);
        cooldown("tuning.upCooldown", tuning.upCooldown());
        cooldown("tuning.downCooldown", tuning.downCooldown());
        if (tuning.upLimitPods() != null && (tuning.upLimitPods() < 1 || tuning.upLimitPods() > MAX_REPLICAS)) {
            throw invalid("tuning.upLimitPods", "upLimitPods must be 1.." + MAX_REPLICAS + ", got " + tuning.upLimitPods());
        }
        if (tuning.upLimitPercent() != null && (tuning.upLimitPercent() < 1 || tuning.upLimitPercent() > 10_000)) {
            throw invalid("tuning.upLimitPercent", "upLimitPercent must be 1..10000, got " + tuning.upLimitPercent());
        }
    }

    private static void range(String field, Double v, double min, double max) {
        if (v != null && !(v >= min && v <= max)) {
            throw invalid(field, field.substring(field.indexOf('.') + 1) + " must be between " + min + " and " + max + ", got " + v);
        }
    }

    private static void cooldown(String field, Duration d) {
        if (d != null && (d.isNegative() || d.compareTo(MAX_COOLDOWN) > 0)) {
            throw invalid(field, field.substring(field.indexOf('.') + 1) + " must be between 0 and 1 hour, got " + d);
        }
    }

    /** The calculator's rules for one pool: the seed's defaults with this policy's tuning and the pool's bounds. */
    public Calculator.Rules rules(String pool) {
        Bounds b = pools.get(pool);
        Calculator.Rules seed = Calculator.Rules.seed(b.min(), b.max());
        Tuning t = tuning == null ? Tuning.DEFAULTS : tuning;
        return new Calculator.Rules(or(t.toleranceUp(), seed.toleranceUp()), or(t.toleranceDown(), seed.toleranceDown()),
                or(t.upCooldown(), seed.upCooldown()), or(t.downCooldown(), seed.downCooldown()), or(t.frustration(), seed.frustration()),
                b.min(), b.max(), or(t.upLimitPods(), seed.upLimitPods()), or(t.upLimitPercent(), seed.upLimitPercent()),
                seed.cpuInitialization(), seed.readySettle());
    }

    private static <T> T or(T v, T fallback) {
        return v != null ? v : fallback;
    }

    private static NoahException invalid(String field, String message) {
        return NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, field, message);
    }
}
