package io.noah.hpa.advice;

import io.noah.hpa.advice.AdviceReport.Advice;
import io.noah.hpa.advice.AdviceReport.ClusterOvercommit;
import io.noah.hpa.advice.AdviceReport.Dimension;
import io.noah.hpa.advice.AdviceReport.Evidence;
import io.noah.hpa.advice.AdviceReport.Pair;
import io.noah.hpa.advice.AdviceReport.Profile;
import io.noah.hpa.advice.Formulas.Kind;
import io.noah.hpa.advice.Formulas.ProfileClass;
import io.noah.hpa.advice.Formulas.Stats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads each app's history from the metric store (three range queries: CPU and memory utilisation of requests, IO per
 * pod) and derives its profile, its hourly CPU curve for the similarity pairs, the overcommit inputs of its cluster and
 * the advice. Only summaries are kept per app (the points are dropped once reduced), so memory grows with the number
 * of apps, not with the history length. One app's failure is recorded on its profile; the run goes on.
 */
public final class Advisor {

    /** The store's range queries: one aggregate series on the grid start, start + step, …, end (NaN: no point). */
    @FunctionalInterface
    public interface RangeSource {
        double[] range(String promql, Instant start, Instant end, Duration step);
    }

    private final RangeSource source;
    private final AdviceSettings s;
    private final String appLabel;

    /** {@code appLabel}: the label key the affinity terms select apps by (Noah's app label). */
    public Advisor(RangeSource source, AdviceSettings settings, String appLabel) {
        this.source = source;
        this.s = settings;
        this.appLabel = appLabel;
    }

    /** The window's end: the last whole step at least one step before {@code now} (its points are complete). */
    public Instant end(Instant now) {
        long step = s.step().toSeconds();
        return Instant.ofEpochSecond((now.getEpochSecond() - step) / step * step);
    }

    private record AppResult(AppTarget target, Profile profile, double[] shape, List<Advice> advice, double cpuMean, boolean usable) {
    }

    public AdviceReport run(List<AppTarget> apps, Instant now) {
        Instant end = end(now);
        Instant start = end.minus(s.window()).plus(s.step());
        List<AppResult> results = new ArrayList<>(apps.size());
        try (ExecutorService pool = Executors.newFixedThreadPool(s.parallelism(), Thread.ofPlatform().name("noah-advice-", 0).daemon().factory())) {
            List<Future<AppResult>> futures = new ArrayList<>();
            for (AppTarget a : apps) {
                futures.add(pool.submit(() -> one(a, start, end)));
            }
            for (Future<AppResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("advice for an app failed unexpectedly", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        results.sort(Comparator.comparing(r -> r.target().key()));
        int failed = 0;
        String firstError = null;
        List<Profile> profiles = new ArrayList<>();
        List<Advice> advice = new ArrayList<>();
        for (AppResult r : results) {
            profiles.add(r.profile());
            advice.addAll(r.advice());
            if (r.profile().error() != null) {
                failed++;
                firstError = firstError == null ? r.target().key() + ": " + r.profile().error() : firstError;
            }
        }
        advice.sort(Comparator.comparing(Advice::kind).thenComparing(Comparator.comparingDouble(Advice::rank).reversed())
                .thenComparing(Advice::cluster).thenComparing(Advice::namespace).thenComparing(Advice::app));
        List<Pair> similar = new ArrayList<>();
        List<Pair> complementary = new ArrayList<>();
        pairs(results, similar, complementary);
        return new AdviceReport(start, end, s.step().toSeconds(), profiles, similar, complementary, affinity(similar, complementary),
                overcommit(results), advice, failed, firstError);
    }

    private AppResult one(AppTarget a, Instant start, Instant end) {
        double windowSeconds = s.window().toSeconds();
        try {
            if (a.containers() < 1 || a.deployments().isEmpty()) {
                return skip(a, "no running pods");
            }
            String cpuQuery = a.cpuRequestCores() > 0 ? AdviceQueries.cpu(a, s.step()) : null;
            String memQuery = a.memoryRequestBytes() > 0 ? AdviceQueries.memory(a) : null;
            if (cpuQuery == null && memQuery == null) {
                return skip(a, "its pods request neither CPU nor memory: no utilisation to judge");
            }
            double[] cpu = cpuQuery == null ? new double[0] : source.range(cpuQuery, start, end, s.step());
            double[] mem = memQuery == null ? new double[0] : source.range(memQuery, start, end, s.step());
            double[] io = source.range(AdviceQueries.io(a, s.step(), s.ioReferenceBytesPerSecond()), start, end, s.step());
            Stats c = Formulas.stats(cpu);
            Stats m = Formulas.stats(mem);
            Stats i = Formulas.stats(io);
            double covered = Math.max(c.n(), m.n()) * (double) s.step().toSeconds();
            double hours = Math.round(covered / 36.0) / 100.0;
            String note = cpuQuery == null ? "no CPU request: CPU not judged" : memQuery == null ? "no memory request: memory not judged" : null;
            if (covered < s.minHistory().toSeconds()) {
                Profile p = profile(a, ProfileClass.INSUFFICIENT_DATA, hours, c, m, i,
                        "insufficient data: " + hours + " h of history, at least " + s.minHistory().toHours() + " h needed", null);
                return new AppResult(a, p, null, List.of(), Double.NaN, false);
            }
            ProfileClass cls = Formulas.classify(c.fittedP95(), m.fittedP95(), i.fittedP95(), s.intensiveLevel(), s.dominance());
            Profile p = profile(a, cls, hours, c, m, i, note, null);
            Formulas.Confidence conf = Formulas.confidence(covered, windowSeconds);
            List<Advice> out = new ArrayList<>(2);
            if (cpuQuery != null) {
                Kind k = Formulas.cpuKind(c.max(), s.cpuUp(), s.cpuDown(), a.horizontal());
                if (k != null) {
                    out.add(cpuAdvice(a, k, c, conf, hours, new Evidence(cpuQuery, start, end, s.step().toSeconds(), "max",
                            AdviceReport.r(c.max()), AdviceReport.r(c.p99()), k.up() ? s.cpuUp() : s.cpuDown(), c.n())));
                }
            }
            if (memQuery != null) {
                Kind k = Formulas.memoryKind(m.max(), s.memoryUp(), s.memoryDown());
                if (k != null) {
                    out.add(memoryAdvice(a, k, m, conf, hours, new Evidence(memQuery, start, end, s.step().toSeconds(), "max",
                            AdviceReport.r(m.max()), AdviceReport.r(m.p99()), k.up() ? s.memoryUp() : s.memoryDown(), m.n())));
                }
            }
            double[] shape = cpuQuery == null ? null : Formulas.zNormalise(Formulas.hourly(cpu, start.getEpochSecond(), s.step().toSeconds()));
            return new AppResult(a, p, shape, out, c.mean(), cpuQuery != null && c.n() > 0);
        } catch (RuntimeException e) {
            Profile p = profile(a, ProfileClass.INSUFFICIENT_DATA, 0, Stats.EMPTY, Stats.EMPTY, Stats.EMPTY, null, String.valueOf(e.getMessage()));
            return new AppResult(a, p, null, List.of(), Double.NaN, false);
        }
    }

    private AppResult skip(AppTarget a, String why) {
        return new AppResult(a, profile(a, ProfileClass.INSUFFICIENT_DATA, 0, Stats.EMPTY, Stats.EMPTY, Stats.EMPTY, why, null), null,
                List.of(), Double.NaN, false);
    }

    private static Profile profile(AppTarget a, ProfileClass cls, double hours, Stats c, Stats m, Stats i, String note, String error) {
        return new Profile(a.cluster(), a.idc(), a.namespace(), a.app(), cls.wire, hours, a.containers(), a.cpuRequestCores(),
                a.memoryRequestBytes(), Dimension.of(c), Dimension.of(m), Dimension.of(i), note, error);
    }

    private Advice cpuAdvice(AppTarget a, Kind k, Stats c, Formulas.Confidence conf, double hours, Evidence ev) {
        double peak = Formulas.sizingPeak(c.p99(), c.max(), s.margin());
        double rank = k.up() ? Formulas.shortfall(a.cpuRequestCores(), c.max(), a.containers(), s.cpuUp())
                : Formulas.idleCpu(a.cpuRequestCores(), c.max(), a.containers(), s.cpuIdleFloor());
        String rankBy = k.up() ? "CPU short = cores × (peak − " + pct(s.cpuUp()) + ") × containers"
                : "idle CPU = cores × (free − " + pct(s.cpuIdleFloor()) + ") × containers";
        if (k.horizontal()) {
            int replicas = Formulas.suggestedReplicas(a.containers(), peak, s.ceiling());
            if (replicas == a.containers()) {
                k = k.up() ? Kind.CPU_UP_VERTICAL : Kind.CPU_DOWN_VERTICAL; // one pod cannot shrink horizontally
            } else {
                double saved = (a.containers() - replicas) * a.cpuRequestCores();
                return new Advice(a.cluster(), a.idc(), a.namespace(), a.app(), k.wire, round(rank), rankBy, a.containers(), replicas, "replicas",
                        a.containers(), round(saved), round((a.containers() - replicas) * a.memoryRequestBytes()), conf.score(), conf.level(), hours,
                        ev, String.format(Locale.ROOT, "CPU peaked at %s of requests this window: %d → %d replicas of %s cores",
                        pct(c.max()), a.containers(), replicas, fmt(a.cpuRequestCores())));
            }
        }
        double suggested = Formulas.roundCpu(Formulas.suggestedSize(a.cpuRequestCores(), peak, s.ceiling()));
        return new Advice(a.cluster(), a.idc(), a.namespace(), a.app(), k.wire, round(rank), rankBy, a.cpuRequestCores(), suggested, "cores",
                a.containers(), round((a.cpuRequestCores() - suggested) * a.containers()), 0, conf.score(), conf.level(), hours, ev,
                String.format(Locale.ROOT, "CPU peaked at %s of requests this window: request %s → %s cores per container",
                        pct(c.max()), fmt(a.cpuRequestCores()), fmt(suggested)));
    }

    private Advice memoryAdvice(AppTarget a, Kind k, Stats m, Formulas.Confidence conf, double hours, Evidence ev) {
        double rank = k.up() ? Formulas.shortfall(a.memoryRequestBytes(), m.max(), a.containers(), s.memoryUp())
                : Formulas.idleMemory(a.memoryRequestBytes(), m.max(), a.containers(), s.memoryIdleFloor());
        String rankBy = k.up() ? "memory short = bytes × (peak − " + pct(s.memoryUp()) + ") × containers"
                : "idle memory = bytes × (free − " + pct(s.memoryIdleFloor()) + ") × containers";
        // memory is sized for its peak (a working set over its limit is killed), with the margin
        double suggested = Formulas.roundMemory(Formulas.suggestedSize(a.memoryRequestBytes(), m.max() * (1 + s.margin()), s.ceiling()));
        return new Advice(a.cluster(), a.idc(), a.namespace(), a.app(), k.wire, round(rank), rankBy, a.memoryRequestBytes(), suggested, "bytes",
                a.containers(), 0, round((a.memoryRequestBytes() - suggested) * a.containers()), conf.score(), conf.level(), hours, ev,
                String.format(Locale.ROOT, "memory peaked at %s of requests this window: request %.0f Mi → %.0f Mi per container",
                        pct(m.max()), a.memoryRequestBytes() / 1048576, suggested / 1048576));
    }

    /** Within each cluster, every two apps with a CPU curve; the N nearest overall are similar, the N farthest complementary. */
    private void pairs(List<AppResult> results, List<Pair> similar, List<Pair> complementary) {
        Map<String, List<AppResult>> byCluster = new TreeMap<>();
        for (AppResult r : results) {
            if (r.shape() != null) {
                byCluster.computeIfAbsent(r.target().cluster(), c -> new ArrayList<>()).add(r);
            }
        }
        Comparator<Pair> near = Comparator.comparingDouble(Pair::distance).thenComparing(Pair::appA).thenComparing(Pair::appB);
        PriorityQueue<Pair> nearest = new PriorityQueue<>(near.reversed());
        PriorityQueue<Pair> farthest = new PriorityQueue<>(near);
        for (List<AppResult> rs : byCluster.values()) {
            for (int i = 0; i < rs.size(); i++) {
                for (int j = i + 1; j < rs.size(); j++) {
                    AppTarget a = rs.get(i).target();
                    AppTarget b = rs.get(j).target();
                    double d = Math.round(Formulas.distance(rs.get(i).shape(), rs.get(j).shape()) * 1e4) / 1e4;
                    keep(nearest, new Pair(a.cluster(), a.namespace(), a.app(), b.namespace(), b.app(), d, "similar"), s.topPairs());
                    keep(farthest, new Pair(a.cluster(), a.namespace(), a.app(), b.namespace(), b.app(), d, "complementary"), s.topPairs());
                }
            }
        }
        similar.addAll(nearest);
        similar.sort(near);
        complementary.addAll(farthest);
        complementary.sort(near.reversed());
    }

    private static void keep(PriorityQueue<Pair> q, Pair p, int n) {
        q.add(p);
        if (q.size() > n) {
            q.poll();
        }
    }

    /**
     * Per app ("cluster/namespace/app"), a ready-to-apply {@code affinity}: preferred pod anti-affinity to the apps it is
     * similar to, preferred pod affinity to those it complements, on the app label and the node, one term per namespace.
     */
    private Map<String, List<Map<String, Object>>> affinity(List<Pair> similar, List<Pair> complementary) {
        Map<String, Map<String, Map<String, List<String>>>> partners = new TreeMap<>(); // app → relation → namespace → apps
        for (List<Pair> list : List.of(similar, complementary)) {
            for (Pair p : list) {
                add(partners, p.cluster() + "/" + p.namespaceA() + "/" + p.appA(), p.relation(), p.namespaceB(), p.appB());
                add(partners, p.cluster() + "/" + p.namespaceB() + "/" + p.appB(), p.relation(), p.namespaceA(), p.appA());
            }
        }
        Map<String, List<Map<String, Object>>> out = new TreeMap<>();
        partners.forEach((app, byRelation) -> {
            Map<String, Object> affinity = new LinkedHashMap<>();
            byRelation.forEach((relation, byNs) -> {
                List<Map<String, Object>> terms = new ArrayList<>();
                byNs.forEach((ns, apps) -> terms.add(Map.of("weight", 100, "podAffinityTerm", Map.of(
                        "labelSelector", Map.of("matchExpressions", List.of(Map.of("key", appLabel, "operator", "In",
                                "values", apps.stream().sorted().distinct().toList()))),
                        "namespaces", List.of(ns), "topologyKey", "kubernetes.io/hostname"))));
                affinity.put(relation.equals("similar") ? "podAntiAffinity" : "podAffinity",
                        Map.of("preferredDuringSchedulingIgnoredDuringExecution", terms));
            });
            out.put(app, List.of(affinity));
        });
        return out;
    }

    private static void add(Map<String, Map<String, Map<String, List<String>>>> m, String app, String relation, String ns, String other) {
        m.computeIfAbsent(app, k -> new TreeMap<>()).computeIfAbsent(relation, k -> new TreeMap<>())
                .computeIfAbsent(ns, k -> new ArrayList<>()).add(other);
    }

    /** Per cluster, from the apps with a CPU history: requested cores and mean utilisation of core and non-core apps. */
    private List<ClusterOvercommit> overcommit(List<AppResult> results) {
        record Acc(String idc, double[] v, int[] n) {
        }
        Map<String, Acc> by = new TreeMap<>();
        for (AppResult r : results) {
            if (!r.usable()) {
                continue;
            }
            AppTarget a = r.target();
            Acc acc = by.computeIfAbsent(a.cluster(), c -> new Acc(a.idc(), new double[4], new int[2]));
            double requested = a.cpuRequestCores() * a.containers();
            int i = a.core() ? 2 : 0;
            acc.v()[i] += requested;
            acc.v()[i + 1] += requested * r.cpuMean();
            acc.n()[0]++;
            if (a.core()) {
                acc.n()[1]++;
            }
        }
        List<ClusterOvercommit> out = new ArrayList<>();
        by.forEach((cluster, acc) -> {
            double m = acc.v()[0], n = acc.v()[2];
            Formulas.Overcommit o = Formulas.overcommit(round(m), round(n), m > 0 ? round(acc.v()[1] / m) : 0, n > 0 ? round(acc.v()[3] / n) : 0,
                    s.targetUtilisation());
            String note = acc.n()[1] == 0 ? "no core apps (label them to split the inputs); k from all apps' utilisation"
                    : acc.n()[1] == acc.n()[0] ? "every app is core; k from their utilisation" : null;
            out.add(new ClusterOvercommit(cluster, acc.idc(), acc.n()[0], acc.n()[1], o, note));
        });
        return out;
    }

    private static double round(double d) {
        return Math.round(d * 1e6) / 1e6;
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.1f %%", f * 100);
    }

    private static String fmt(double cores) {
        return String.format(Locale.ROOT, "%.2f", cores);
    }
}
