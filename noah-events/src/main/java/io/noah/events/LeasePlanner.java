package io.noah.events;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lease loop's decisions without Kafka, PostgreSQL, threads or clocks of its own ({@link EventsService} observes
 * and executes): what to do with each unit this instance holds, whether to claim units or hand one over (fair share:
 * units / live instances), and which left-over units to take. It remembers only what spans rounds: how many rounds a
 * held unit has been missing from the registry, and since when a left-over lease has been seen.
 */
final class LeasePlanner {

    /** A unit this instance holds, as observed this round. */
    record Held(String work, boolean leftOver, boolean registered, boolean connectionChanged, boolean alive, boolean publishing) {
    }

    /** What to do with a held unit. */
    sealed interface Action {
        String work();
    }

    /** Stop gracefully (publish what is buffered), give the lease up; {@code retire} also publishes the unit's removal. */
    record Stop(String work, boolean retire, String why) implements Action {
    }

    /** The publisher ended by itself (a crash, a lost producer): report it, then stop. */
    record Ended(String work) implements Action {
    }

    /** Healthy: renew the lease ({@code publishing}: its loop counts as succeeded). */
    record Renew(String work, boolean publishing) implements Action {
    }

    /** The fair-share decision of a round. */
    sealed interface Share {
    }

    /** Try these units in this order until {@code needed} are acquired. */
    record Acquire(List<String> order, int needed) implements Share {
    }

    /** More than the fair share while others are live: hand this unit over. */
    record HandOver(String work, int members, int holding, int share) implements Share {
    }

    private final String instanceId;
    private final Map<String, Integer> absent = new HashMap<>();
    private final Map<String, Long> leftOverSince = new HashMap<>();

    LeasePlanner(String instanceId) {
        this.instanceId = instanceId;
    }

    /**
     * One action per held unit. A unit missing from the registry is retired only when missed twice in a row (a
     * registry update swaps a cluster's handle, and the loop may look in between); a left-over unit (publishing a
     * removal someone else left) stops once it is done, or when its cluster is registered again.
     */
    List<Action> held(List<Held> held) {
        Set<String> works = new HashSet<>();
        held.forEach(h -> works.add(h.work()));
        absent.keySet().retainAll(works);
        List<Action> out = new ArrayList<>();
        for (Held h : held) {
            if (h.leftOver()) {
                if (h.registered()) {
                    out.add(new Stop(h.work(), false, "registered again before its removal was published: publishing it as usual"));
                } else if (!h.alive()) {
                    out.add(new Stop(h.work(), false, "publishing its removal ended"));
                } else {
                    out.add(new Renew(h.work(), h.publishing()));
                }
                continue;
            }
            if (!h.registered()) {
                if (absent.merge(h.work(), 1, Integer::sum) >= 2) {
                    absent.remove(h.work());
                    out.add(new Stop(h.work(), true, "no longer registered: publishing its removal, then stopping"));
                }
                continue;
            }
            absent.remove(h.work());
            if (h.connectionChanged()) {
                // new connection (e.g. rotated credentials: the old client is closed) or another IDC (in every event):
                // hand over to ourselves; the next round takes it again with the new handle
                out.add(new Stop(h.work(), false, "cluster connection or IDC changed, restarting its publisher"));
            } else if (!h.alive()) {
                out.add(new Ended(h.work()));
            } else {
                out.add(new Renew(h.work(), h.publishing()));
            }
        }
        return out;
    }

    /**
     * Claim or hand over after the held units were dealt with. {@code wanted}: every unit that should run, sorted;
     * {@code held}: what this instance still holds (left-over units included); {@code holding}: of them, the regular ones.
     * Claims start from a different unit on every instance, so they rarely race for the same one; the unit handed over
     * is the last by name, so instances agree.
     */
    Optional<Share> share(List<String> wanted, Set<String> held, List<String> holdingRegular, int liveMembers) {
        int members = Math.max(1, liveMembers);
        int share = (wanted.size() + members - 1) / members;
        int holding = holdingRegular.size();
        if (holding < share) {
            List<String> order = new ArrayList<>(wanted);
            Collections.rotate(order, Math.floorMod(instanceId.hashCode(), Math.max(1, order.size())));
            order.removeIf(held::contains);
            return Optional.of(new Acquire(order, share - holding));
        }
        if (holding > share && members > 1) {
            String last = Collections.max(holdingRegular);
            return Optional.of(new HandOver(last, members, holding, share));
        }
        return Optional.empty();
    }

    /**
     * Lease names of units no instance registers any more whose lease is kept (their holder retired them while Kafka
     * was down, or died before) and that have been so for {@code graceNanos} (a unit just registered elsewhere is not
     * yet in this instance's registry): this instance takes them to publish the removal.
     */
    List<String> leftOvers(List<LeaseStore.Lease> leases, String prefix, Set<String> wanted, Set<String> held, long nowNanos,
                           long graceNanos) {
        Set<String> seen = new HashSet<>();
        List<String> take = new ArrayList<>();
        for (LeaseStore.Lease l : leases) {
            String work = l.name().substring(prefix.length());
            if (l.live() || wanted.contains(work) || held.contains(work) || !(work.startsWith("cluster.") || work.startsWith("alerts."))) {
                continue;
            }
            seen.add(work);
            long since = leftOverSince.computeIfAbsent(work, x -> nowNanos);
            if (nowNanos - since >= graceNanos) {
                take.add(work);
            }
        }
        leftOverSince.keySet().retainAll(seen);
        return take;
    }
}
