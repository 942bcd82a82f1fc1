package io.noah.release;

import io.noah.cluster.model.NoahException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanTest {

    private static final List<String> POOLS = List.of("idc-a", "idc-b");
    private static final Map<String, Integer> TEN_EACH = Map.of("idc-a", 10, "idc-b", 10);

    @Test
    void perPoolPlanReleasesPoolsOneAfterAnother() {
        Plan p = Plan.perPool(POOLS, TEN_EACH, List.of(1, 4, 5), false);
        assertThat(p.lastStep()).isEqualTo(6);
        int[][] expected = {{0, 0}, {1, 0}, {5, 0}, {10, 0}, {10, 1}, {10, 5}, {10, 10}};
        for (int s = 0; s <= p.lastStep(); s++) {
            assertThat(p.canary(s, "idc-a")).as("step %d idc-a", s).isEqualTo(expected[s][0]);
            assertThat(p.canary(s, "idc-b")).as("step %d idc-b", s).isEqualTo(expected[s][1]);
            assertThat(p.running(s, "idc-a") + p.canary(s, "idc-a")).isEqualTo(10);
        }
        assertThat(p.poolsChangedBetween(2, 3)).containsExactly("idc-a");
        assertThat(p.poolsChangedBetween(3, 4)).containsExactly("idc-b");
        assertThat(p.poolsChangedBetween(6, 0)).containsExactly("idc-a", "idc-b");
    }

    @Test
    void aPlanMaySpanPools() {
        Plan p = Plan.spanning(List.of("idc-a", "idc-b"), Map.of("idc-a", 5, "idc-b", 5), List.of(1, 2, 2, 2, 3), false);
        int[][] expected = {{0, 0}, {1, 0}, {3, 0}, {5, 0}, {5, 2}, {5, 5}};
        for (int s = 0; s <= p.lastStep(); s++) {
            assertThat(new int[]{p.canary(s, "idc-a"), p.canary(s, "idc-b")}).as("step %d", s).isEqualTo(expected[s]);
        }
        assertThat(p.poolsChangedBetween(2, 3)).containsExactly("idc-a");
        assertThat(p.poolsChangedBetween(3, 4)).containsExactly("idc-b");
    }

    @Test
    void percentagesRoundToWholeReplicasAndEndAtTheTotal() {
        Plan p = Plan.perPool(List.of("a"), Map.of("a", 7), List.of(10, 40, 50), true);
        assertThat(List.of(p.canary(1, "a"), p.canary(2, "a"), p.canary(3, "a"))).containsExactly(1, 4, 7);
    }

    @Test
    void targetsAreMonotoneAndCapacityNeverDropsForRandomPlans() {
        Random r = new Random(42);
        for (int i = 0; i < 2000; i++) {
            int pools = 1 + r.nextInt(3);
            List<String> names = List.of("p0", "p1", "p2").subList(0, pools);
            Map<String, Integer> totals = new java.util.HashMap<>();
            names.forEach(n -> totals.put(n, 1 + r.nextInt(40)));
            boolean spanning = r.nextBoolean();
            int total = spanning ? names.stream().mapToInt(totals::get).sum() : totals.get("p0");
            if (!spanning && names.stream().anyMatch(n -> !totals.get(n).equals(total))) {
                names.forEach(n -> totals.put(n, total));
            }
            List<Integer> batches = new java.util.ArrayList<>();
            int left = total;
            while (left > 0 && batches.size() < 49) {
                int b = 1 + r.nextInt(left);
                batches.add(b);
                left -= b;
            }
            if (left > 0) {
                batches.add(left);
            }
            Plan p = spanning ? Plan.spanning(names, totals, batches, false) : Plan.perPool(names, totals, batches, false);
            for (String n : names) {
                assertThat(p.canary(0, n)).isZero();
                assertThat(p.canary(p.lastStep(), n)).isEqualTo(totals.get(n));
                for (int s = 1; s <= p.lastStep(); s++) {
                    assertThat(p.canary(s, n)).isGreaterThanOrEqualTo(p.canary(s - 1, n));
                    assertThat(p.canary(s, n) + p.running(s, n)).isEqualTo(totals.get(n));
                }
            }
        }
    }

    @Test
    void badPlansAreRefusedWithReasons() {
        assertThatThrownBy(() -> Plan.perPool(POOLS, TEN_EACH, List.of(1, 4, 4), false)).hasMessageContaining("add up to 9");
        assertThatThrownBy(() -> Plan.perPool(POOLS, TEN_EACH, List.of(0, 10), false)).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Plan.perPool(POOLS, TEN_EACH, List.of(-1, 11), false)).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Plan.perPool(POOLS, TEN_EACH, List.of(), false)).hasMessageContaining("required");
        assertThatThrownBy(() -> Plan.perPool(List.of("a"), Map.of("a", 60), java.util.Collections.nCopies(60, 1), false))
                .hasMessageContaining("at most 50");
        assertThatThrownBy(() -> Plan.perPool(POOLS, TEN_EACH, List.of(50, 40), true)).hasMessageContaining("add up to 100");
        assertThatThrownBy(() -> Plan.perPool(List.of("a"), Map.of("a", 3), List.of(1, 99), true)).hasMessageContaining("less than one replica");
        assertThatThrownBy(() -> Plan.perPool(List.of("a", "a"), Map.of("a", 3), List.of(3), false)).hasMessageContaining("twice");
        assertThatThrownBy(() -> Plan.perPool(List.of("a"), Map.of(), List.of(3), false)).isInstanceOf(NoahException.class)
                .hasMessageContaining("no running replicas");
        // per pool: 26 batches over two pools is 52 steps
        assertThatThrownBy(() -> Plan.perPool(POOLS, Map.of("idc-a", 26, "idc-b", 26), java.util.Collections.nCopies(26, 1), false))
                .hasMessageContaining("52 batches");
    }

    @Test
    void aResizedPlanKeepsTheSharesAndNeverLowersTheCanaryOfTheStepReached() {
        Plan origin = Plan.perPool(List.of("a", "b"), Map.of("a", 10, "b", 10), List.of(1, 4, 5), false);
        // pool a: canary 0, 1, 5, 10 of 10 (then b's steps keep a at 10)
        Plan up = origin.resized(origin, "a", 20, 1);
        assertThat(up.totals()).containsEntry("a", 20).containsEntry("b", 10);
        assertThat(up.steps().stream().map(s -> s.get("a")).toList()).containsExactly(0, 2, 10, 20, 20, 20, 20);
        assertThat(up.steps().stream().map(s -> s.get("b")).toList()).isEqualTo(origin.steps().stream().map(s -> s.get("b")).toList());
        // down to 4 at step 1: 10 % of 4 rounds to 0, at least one; but the batch under check keeps the 2 canaries it has
        Plan down = up.resized(origin, "a", 4, 1);
        assertThat(down.steps().stream().map(s -> s.get("a")).toList()).containsExactly(0, 2, 2, 4, 4, 4, 4);
        assertThat(down.running(1, "a")).isEqualTo(2);
        assertThat(origin.resized(origin, "a", 4, 0).canary(1, "a")).as("a batch not reached yet keeps at least one").isEqualTo(1);
        // at step 2 (canary 10 of 20) a drop to 4: the canary stays at 10, the running side gives way, the total holds it
        Plan held = up.resized(origin, "a", 4, 2);
        assertThat(held.canary(2, "a")).isEqualTo(10);
        assertThat(held.totals().get("a")).isEqualTo(10);
        assertThat(held.running(2, "a")).isZero();
        // before the first batch is reached, resizing back gives the origin again
        assertThat(up.resized(origin, "a", 10, 0)).as("from the origin every time: no drift").isEqualTo(origin);
        assertThat(up.resized(origin, "a", 10, 1).canary(1, "a")).as("but never fewer canaries at the batch reached").isEqualTo(2);
        // at the last step nothing is under check: the canary follows the total both ways
        Plan last = origin.resized(origin, "a", 3, origin.lastStep());
        assertThat(last.canary(origin.lastStep(), "a")).isEqualTo(3);
    }

    @Test
    void resizedPlansStayMonotoneForRandomTotals() {
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            int total = 1 + rnd.nextInt(30);
            List<Integer> batches = new java.util.ArrayList<>();
            int left = total;
            while (left > 0) {
                int b = 1 + rnd.nextInt(left);
                batches.add(b);
                left -= b;
            }
            Plan origin = Plan.perPool(List.of("a"), Map.of("a", total), batches, false);
            int reached = rnd.nextInt(origin.lastStep() + 1);
            int to = 1 + rnd.nextInt(60);
            Plan p = origin.resized(origin, "a", to, reached);
            int t = p.totals().get("a");
            assertThat(t).isGreaterThanOrEqualTo(to);
            for (int s = 1; s <= p.lastStep(); s++) {
                assertThat(p.canary(s, "a")).isBetween(p.canary(s - 1, "a"), t);
                if (origin.canary(s, "a") > 0) {
                    assertThat(p.canary(s, "a")).isPositive();
                }
            }
            assertThat(p.canary(p.lastStep(), "a")).isEqualTo(t);
            if (reached > 0 && reached < origin.lastStep()) {
                assertThat(p.canary(reached, "a")).isGreaterThanOrEqualTo(Math.min(origin.canary(reached, "a"), t));
            }
            if (t > to) {
                assertThat(p.canary(reached, "a")).as("the total grows only to hold the canary of the step reached").isEqualTo(t);
            }
        }
    }
}
