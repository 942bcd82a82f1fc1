package io.noah.hpa;

import io.noah.hpa.metrics.PromQlTemplate;
import io.noah.hpa.metrics.PrometheusClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * A tick's metric values, fetched in few queries: every policy first says what it will ask ({@link #want}), then one
 * query per pool, namespace and template covers the pods of all the policies that share them (in chunks of
 * {@link #CHUNK} pods, so a query stays well under the store's length limit), and each evaluation reads its pods from
 * those answers. 1,000 policies in a handful of namespaces cost tens of queries per tick, not a thousand. A failed
 * chunk fails the policies whose pods it held, with its error.
 */
final class TickMetrics implements MetricSource {

    static final int CHUNK = 300;

    private record Key(String template, String pool, String namespace) {
    }

    private final MetricSource real;
    /** (pool, namespace) → how many pods the namespace has (Noah's cache), to choose one namespace-wide query. */
    private final java.util.function.ToIntBiFunction<String, String> namespacePods;
    private final Map<Key, Set<String>> wanted = new HashMap<>();
    private final Map<Key, Map<String, Double>> values = new ConcurrentHashMap<>();
    /** Pod → error of the chunk that held it. */
    private final Map<Key, Map<String, String>> errors = new ConcurrentHashMap<>();

    TickMetrics(MetricSource real) {
        this(real, (pool, ns) -> Integer.MAX_VALUE);
    }

    TickMetrics(MetricSource real, java.util.function.ToIntBiFunction<String, String> namespacePods) {
        this.real = real;
        this.namespacePods = namespacePods;
    }

    /**
     * More than a chunk of pods that are at least half of their namespace: one query for the whole namespace ($pods as
     * {@code .+}) instead of several long alternations the store must match name by name.
     */
    private boolean wholeNamespace(Key key, int wantedPods) {
        return wantedPods > CHUNK && wantedPods * 2L >= namespacePods.applyAsInt(key.pool(), key.namespace());
    }

    synchronized void want(PromQlTemplate q, String pool, String namespace, List<String> pods) {
        wanted.computeIfAbsent(new Key(q.text(), pool, namespace), k -> new LinkedHashSet<>()).addAll(pods);
    }

    /** Runs the queries, at most {@code parallel} at once, on {@code exec}. */
    void fetch(Instant at, ExecutorService exec, Semaphore parallel) {
        List<Future<?>> running = new ArrayList<>();
        wanted.forEach((key, pods) -> {
            List<String> all = new ArrayList<>(pods);
            if (wholeNamespace(key, all.size())) {
                running.add(exec.submit(() -> guarded(key, all, parallel, () -> {
                    Map<String, Double> got = real.namespaceValues(new PromQlTemplate(key.template()), key.pool(), key.namespace(), at);
                    if (got == null) { // the source cannot: by chunks after all
                        got = new HashMap<>();
                        for (int i = 0; i < all.size(); i += CHUNK) {
                            got.putAll(real.values(new PromQlTemplate(key.template()), key.pool(), key.namespace(),
                                    all.subList(i, Math.min(all.size(), i + CHUNK)), at));
                        }
                    }
                    return got;
                })));
                return;
            }
            for (int i = 0; i < all.size(); i += CHUNK) {
                List<String> chunk = all.subList(i, Math.min(all.size(), i + CHUNK));
                running.add(exec.submit(() -> guarded(key, chunk, parallel,
                        () -> real.values(new PromQlTemplate(key.template()), key.pool(), key.namespace(), chunk, at))));
            }
        });
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                // recorded as the chunk's error
            }
        }
    }

    /** One query: its values kept, or its error for each of its pods. */
    private void guarded(Key key, List<String> pods, Semaphore parallel, java.util.function.Supplier<Map<String, Double>> query) {
        parallel.acquireUninterruptibly();
        try {
            values.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).putAll(query.get());
        } catch (RuntimeException e) {
            Map<String, String> failed = errors.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
            pods.forEach(p -> failed.put(p, e.getMessage() == null ? e.toString() : e.getMessage()));
        } finally {
            parallel.release();
        }
    }

    @Override
    public Map<String, Double> values(PromQlTemplate query, String pool, String namespace, List<String> pods, Instant at) {
        Key key = new Key(query.text(), pool, namespace);
        if (!wanted.containsKey(key)) {
            return real.values(query, pool, namespace, pods, at); // not planned (a pool whose pods appeared meanwhile)
        }
        Map<String, String> failed = errors.getOrDefault(key, Map.of());
        for (String p : pods) {
            String e = failed.get(p);
            if (e != null) {
                throw new PrometheusClient.SourceException(e, null);
            }
        }
        Map<String, Double> all = values.getOrDefault(key, Map.of());
        Map<String, Double> out = new HashMap<>();
        for (String p : pods) {
            Double v = all.get(p);
            if (v != null) {
                out.put(p, v);
            }
        }
        if (!wanted.get(key).containsAll(pods)) {
            // pods that appeared between planning and evaluating: asked for now
            List<String> extra = pods.stream().filter(p -> !wanted.get(key).contains(p)).toList();
            out.putAll(real.values(query, pool, namespace, extra, at));
        }
        return out;
    }
}
