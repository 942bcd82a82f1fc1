package io.noah.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease loop's decisions, round by round, with instances joining and leaving and a fake clock. */
class LeasePlannerTest {

    private static final String PREFIX = "noah.events.";

    private static LeasePlanner.Held healthy(String work) {
        return new LeasePlanner.Held(work, false, true, false, true, true);
    }

    @Test
    void healthyUnitsAreRenewedAndOnlyPublishingOnesCountAsSucceeded() {
        LeasePlanner p = new LeasePlanner("i1");
        var starting = new LeasePlanner.Held("cluster.b", false, true, false, true, false);
        assertThat(p.held(List.of(healthy("cluster.a"), starting))).containsExactly(
                new LeasePlanner.Renew("cluster.a", true), new LeasePlanner.Renew("cluster.b", false));
    }

    @Test
    void aUnitMissingFromTheRegistryIsRetiredOnlyWhenMissedTwiceInARow() {
        LeasePlanner p = new LeasePlanner("i1");
        var missing = new LeasePlanner.Held("cluster.a", false, false, false, true, true);
        assertThat(p.held(List.of(missing))).isEmpty();
        assertThat(p.held(List.of(healthy("cluster.a")))).containsExactly(new LeasePlanner.Renew("cluster.a", true));
        assertThat(p.held(List.of(missing))).as("the count starts again after it was seen").isEmpty();
        assertThat(p.held(List.of(missing))).containsExactly(
                new LeasePlanner.Stop("cluster.a", true, "no longer registered: publishing its removal, then stopping"));
        assertThat(p.held(List.of(missing))).as("a new count for a new holding").isEmpty();
    }

    @Test
    void aChangedConnectionRestartsThePublisherAndAnEndedOneIsReported() {
        LeasePlanner p = new LeasePlanner("i1");
        var changed = new LeasePlanner.Held("cluster.a", false, true, true, true, true);
        var ended = new LeasePlanner.Held("cluster.b", false, true, false, false, false);
        assertThat(p.held(List.of(changed, ended))).containsExactly(
                new LeasePlanner.Stop("cluster.a", false, "cluster connection or IDC changed, restarting its publisher"),
                new LeasePlanner.Ended("cluster.b"));
    }

    @Test
    void aLeftOverUnitIsRenewedWhilePublishingItsRemovalAndStopsWhenDoneOrRegisteredAgain() {
        LeasePlanner p = new LeasePlanner("i1");
        assertThat(p.held(List.of(new LeasePlanner.Held("cluster.x", true, false, false, true, false))))
                .containsExactly(new LeasePlanner.Renew("cluster.x", false));
        assertThat(p.held(List.of(new LeasePlanner.Held("cluster.x", true, false, false, false, false))))
                .containsExactly(new LeasePlanner.Stop("cluster.x", false, "publishing its removal ended"));
        assertThat(p.held(List.of(new LeasePlanner.Held("cluster.x", true, true, false, true, false)))).containsExactly(
                new LeasePlanner.Stop("cluster.x", false, "registered again before its removal was published: publishing it as usual"));
    }

    /** Instances joining and leaving: each claims up to units / live instances, surplus is handed over one per round. */
    @Test
    void theFairShareSpreadsUnitsAsInstancesJoinAndLeave() {
        List<String> wanted = List.of("alerts.dc1", "cluster.a", "cluster.b", "cluster.c", "cluster.d");
        LeasePlanner p = new LeasePlanner("i1");
        // alone: everything
        var acquire = (LeasePlanner.Acquire) p.share(wanted, Set.of(), List.of(), 1).orElseThrow();
        assertThat(acquire.needed()).isEqualTo(5);
        assertThat(acquire.order()).containsExactlyInAnyOrderElementsOf(wanted);
        List<String> mine = new ArrayList<>(wanted);
        // a second instance joins: share 3, one unit handed over per round, the last by name
        var hand = (LeasePlanner.HandOver) p.share(wanted, new HashSet<>(mine), mine, 2).orElseThrow();
        assertThat(hand).isEqualTo(new LeasePlanner.HandOver("cluster.d", 2, 5, 3));
        mine.remove("cluster.d");
        assertThat(((LeasePlanner.HandOver) p.share(wanted, new HashSet<>(mine), mine, 2).orElseThrow()).work()).isEqualTo("cluster.c");
        mine.remove("cluster.c");
        assertThat(p.share(wanted, new HashSet<>(mine), mine, 2)).as("at its share").isEmpty();
        // a third: share 2
        assertThat(((LeasePlanner.HandOver) p.share(wanted, new HashSet<>(mine), mine, 3).orElseThrow()).work()).isEqualTo("cluster.b");
        mine.remove("cluster.b");
        // two leave: claims again, never what it holds
        var again = (LeasePlanner.Acquire) p.share(wanted, new HashSet<>(mine), mine, 1).orElseThrow();
        assertThat(again.needed()).isEqualTo(3);
        assertThat(again.order()).containsExactlyInAnyOrder("cluster.b", "cluster.c", "cluster.d");
    }

    @Test
    void instancesStartClaimingFromDifferentUnits() {
        List<String> wanted = List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6");
        Set<String> firsts = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            firsts.add(((LeasePlanner.Acquire) new LeasePlanner("instance-" + i).share(wanted, Set.of(), List.of(), 1).orElseThrow())
                    .order().getFirst());
        }
        assertThat(firsts).hasSizeGreaterThan(3);
    }

    @Test
    void leftOverLeasesAreTakenAfterTheGracePeriodOnly() {
        LeasePlanner p = new LeasePlanner("i1");
        Instant until = Instant.parse("2026-11-30T10:00:00Z");
        var gone = new LeaseStore.Lease(PREFIX + "cluster.gone", "i9", 3, until, false);
        var live = new LeaseStore.Lease(PREFIX + "cluster.live", "i2", 1, until, true);
        var registered = new LeaseStore.Lease(PREFIX + "cluster.a", null, 1, until, false);
        var other = new LeaseStore.Lease(PREFIX + "something.else", null, 1, until, false);
        var all = List.of(gone, live, registered, other);
        long grace = 5_000;
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of(), 1_000, grace)).isEmpty();
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of(), 5_999, grace)).isEmpty();
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of(), 6_000, grace)).containsExactly("cluster.gone");
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of("cluster.gone"), 7_000, grace)).as("held: not again").isEmpty();
        // seen again later: the grace period starts over
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of(), 8_000, grace)).isEmpty();
        assertThat(p.leftOvers(all, PREFIX, Set.of("cluster.a"), Set.of(), 13_000, grace)).containsExactly("cluster.gone");
    }
}
