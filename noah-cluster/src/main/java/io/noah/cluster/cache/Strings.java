package io.noah.cluster.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Canonical instances for strings that repeat across many cached objects (namespaces, node names,
 * label keys and values, phases), so 20,000 pods of one app share one "app" and one "web".
 * Bounded: past {@link #MAX} distinct values new strings are kept as they are.
 */
final class Strings {

    static final int MAX = 200_000;
    private static final ConcurrentHashMap<String, String> POOL = new ConcurrentHashMap<>();

    private Strings() {
    }

    static String of(String s) {
        if (s == null) {
            return null;
        }
        String canonical = POOL.get(s);
        if (canonical != null) {
            return canonical;
        }
        if (POOL.size() >= MAX) {
            return s;
        }
        canonical = POOL.putIfAbsent(s, s);
        return canonical == null ? s : canonical;
    }

    /** An immutable, interned copy; one shared instance for the empty map. */
    static Map<String, String> labels(Map<String, String> in) {
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new HashMap<>(Math.max(4, (int) (in.size() / 0.75f) + 1));
        in.forEach((k, v) -> out.put(of(k), of(v)));
        return Map.copyOf(out);
    }
}
