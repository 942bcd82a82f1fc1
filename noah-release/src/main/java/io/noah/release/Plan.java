package io.noah.release;

import io.noah.cluster.model.NoahException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A release plan: for every step, how many canary replicas each pool must have. Step 0 is the start
 * (no canary anywhere); the last step has every replica on the canary. The running Deployment of a
 * pool always gets {@code total - canary}. Targets are absolute, computed from the plan and a step
 * index, never "+n": applying a step twice changes nothing.
 *
 * <p>Two shapes of batch plan give the same structure: per pool (each pool's batches in turn, pools
 * one after another) or one plan spanning pools (cumulative counts fill the pools in order).
 */
public record Plan(List<String> pools, Map<String, Integer> totals, List<Map<String, Integer>> steps) {

    public static final int MAX_BATCHES = 50;

    public Plan {
        pools = List.copyOf(pools);
        totals = Collections.unmodifiableMap(new LinkedHashMap<>(totals));
        steps = steps.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList();
    }

    public int lastStep() {
        return steps.size() - 1;
    }

    public int canary(int step, String pool) {
        return steps.get(step).get(pool);
    }

    public int running(int step, String pool) {
        return totals.get(pool) - canary(step, pool);
    }

    /** The pools whose targets differ between two steps (the ones a step touches). */
    public List<String> poolsChangedBetween(int from, int to) {
        return pools.stream().filter(p -> !steps.get(from).get(p).equals(steps.get(to).get(p))).toList();
    }

    /**
     * This plan with {@code pool}'s total set to {@code total} (an autoscaler's answer to load during the release), every
     * step's canary count in the share {@code origin} (the plan as created) gives it: {@code round(share × total)}, at
     * least one where the origin had any, everything at the last step. The canary count of {@code reached} (the step every
     * pool reached, whose batch may be under check) is never lowered before the last step: the total grows to hold it if
     * it must, and the running Deployment gives way. Other pools and the number of steps stay as they are.
     */
    public Plan resized(Plan origin, String pool, int total, int reached) {
        if (total <= 0) {
            throw new IllegalArgumentException("a total of " + total);
        }
        int baseTotal = origin.totals.get(pool);
        int last = lastStep();
        int[] c = new int[steps.size()];
        for (int s = 0; s <= last; s++) {
            int base = origin.canary(s, pool);
            c[s] = s == last ? total : Math.min(total, (int) Math.round((double) base * total / baseTotal));
            if (base > 0 && c[s] == 0) {
                c[s] = 1;
            }
        }
        int newTotal = total;
        if (reached > 0 && reached < last) {
            c[reached] = Math.max(c[reached], canary(reached, pool));
            newTotal = Math.max(total, c[reached]);
            for (int s = reached + 1; s <= last; s++) {
                c[s] = Math.max(c[s], c[reached]);
            }
            c[last] = newTotal;
        }
        for (int s = 1; s <= last; s++) {
            c[s] = Math.min(Math.max(c[s], c[s - 1]), newTotal); // never fewer canaries at a later step
        }
        Map<String, Integer> totals2 = new LinkedHashMap<>(totals);
        totals2.put(pool, newTotal);
        List<Map<String, Integer>> steps2 = new ArrayList<>();
        for (int s = 0; s <= last; s++) {
            Map<String, Integer> m = new LinkedHashMap<>(steps.get(s));
            m.put(pool, c[s]);
            steps2.add(m);
        }
        return new Plan(pools, totals2, steps2);
    }

    /** Each pool's batches in turn, pools one after another. {@code batches} are counts or, with {@code percent}, percentages. */
    public static Plan perPool(List<String> pools, Map<String, Integer> totals, List<Integer> batches, boolean percent) {
        checkPools(pools, totals);
        List<Map<String, Integer>> steps = new ArrayList<>();
        Map<String, Integer> current = new LinkedHashMap<>();
        pools.forEach(p -> current.put(p, 0));
        steps.add(new LinkedHashMap<>(current));
        for (String pool : pools) {
            int total = totals.get(pool);
            for (int cumulative : cumulative(batches, total, percent, "batches for pool " + pool)) {
                current.put(pool, cumulative);
                steps.add(new LinkedHashMap<>(current));
            }
        }
        checkBatchCount(steps.size() - 1);
        return new Plan(pools, totals, steps);
    }

    /** One plan over all pools: cumulative counts fill the pools in order (e.g. [1,2,2,2,3] over 5+5). */
    public static Plan spanning(List<String> pools, Map<String, Integer> totals, List<Integer> batches, boolean percent) {
        checkPools(pools, totals);
        int total = pools.stream().mapToInt(totals::get).sum();
        List<Map<String, Integer>> steps = new ArrayList<>();
        Map<String, Integer> zero = new LinkedHashMap<>();
        pools.forEach(p -> zero.put(p, 0));
        steps.add(zero);
        for (int cumulative : cumulative(batches, total, percent, "batches")) {
            Map<String, Integer> s = new LinkedHashMap<>();
            int left = cumulative;
            for (String p : pools) {
                int here = Math.min(left, totals.get(p));
                s.put(p, here);
                left -= here;
            }
            steps.add(s);
        }
        checkBatchCount(steps.size() - 1);
        return new Plan(pools, totals, steps);
    }

    private static List<Integer> cumulative(List<Integer> batches, int total, boolean percent, String what) {
        if (batches == null || batches.isEmpty()) {
            throw bad(what + " are required");
        }
        if (batches.size() > MAX_BATCHES) {
            throw bad(what + ": at most " + MAX_BATCHES + " batches, got " + batches.size());
        }
        for (Integer b : batches) {
            if (b == null || b <= 0) {
                throw bad(what + ": every batch must be greater than zero, got " + b);
            }
        }
        List<Integer> out = new ArrayList<>();
        int sum = 0;
        if (percent) {
            for (Integer b : batches) {
                sum += b;
            }
            if (sum != 100) {
                throw bad(what + ": percentages must add up to 100, they add up to " + sum);
            }
            int acc = 0;
            int previous = 0;
            for (Integer b : batches) {
                acc += b;
                int c = (int) Math.round(total * acc / 100.0);
                if (c <= previous) {
                    throw bad(what + ": a batch of " + b + "% of " + total + " replicas is less than one replica");
                }
                out.add(c);
                previous = c;
            }
            return out;
        }
        for (Integer b : batches) {
            sum += b;
            out.add(sum);
        }
        if (sum != total) {
            throw bad(what + " add up to " + sum + " but " + total + " replicas are running");
        }
        return out;
    }

    private static void checkPools(List<String> pools, Map<String, Integer> totals) {
        if (pools == null || pools.isEmpty()) {
            throw bad("at least one pool is required");
        }
        if (pools.stream().distinct().count() != pools.size()) {
            throw bad("a pool is named twice");
        }
        for (String p : pools) {
            Integer t = totals.get(p);
            if (t == null || t <= 0) {
                throw bad("pool " + p + " has no running replicas to release");
            }
        }
    }

    private static void checkBatchCount(int n) {
        if (n > MAX_BATCHES) {
            throw bad("the plan has " + n + " batches; at most " + MAX_BATCHES);
        }
    }

    private static NoahException bad(String message) {
        return NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "batches", message);
    }
}
