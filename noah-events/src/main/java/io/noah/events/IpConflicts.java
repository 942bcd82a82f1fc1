package io.noah.events;

import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Pod IP conflicts: two or more live pods with the same IP within one IDC, across its clusters too.
 * Computed from the read caches every instance keeps. Not conflicts: pods without an IP, terminating
 * or finished pods, and host-network pods (their IP is the node's).
 */
public final class IpConflicts {

    /** A pod involved in a conflict. */
    public record Member(String cluster, String namespace, String name, String uid, String node, long createdEpochSecond) {
    }

    /** One IP held by several pods of one IDC. */
    public record Conflict(String idc, String ip, List<Member> pods) {
        /** When the conflict began: when its second pod was created. */
        public long sinceEpochSecond() {
            return pods.stream().mapToLong(Member::createdEpochSecond).sorted().skip(1).findFirst().orElse(0);
        }
    }

    private IpConflicts() {
    }

    /** The conflicts of one IDC (null = every IDC), by IDC and IP. */
    public static List<Conflict> find(ClusterRegistry registry, String idc) {
        return find(registry.all().stream().filter(h -> idc == null || idc.equals(h.spec().idc()))
                .map(h -> new Source(h.name(), h.spec().idc(), h.cache().pods().records().values())).toList());
    }

    /** One cluster's pods as the read cache has them. */
    record Source(String cluster, String idc, Collection<PodRecord> pods) {
    }

    static List<Conflict> find(List<Source> clusters) {
        Map<String, List<Source>> byIdc = new TreeMap<>();
        clusters.forEach(c -> byIdc.computeIfAbsent(c.idc(), k -> new ArrayList<>()).add(c));
        List<Conflict> out = new ArrayList<>();
        byIdc.forEach((idc, sources) -> {
            // first pass counts (this runs every half second over every pod of the IDC), the second
            // collects the pods of the few IPs held more than once
            Map<String, int[]> count = new HashMap<>();
            for (Source c : sources) {
                for (PodRecord p : c.pods()) {
                    if (live(p)) {
                        count.computeIfAbsent(p.podIP(), k -> new int[1])[0]++;
                    }
                }
            }
            Map<String, List<Member>> byIp = new TreeMap<>();
            for (Source c : sources) {
                for (PodRecord p : c.pods()) {
                    int[] n = live(p) ? count.get(p.podIP()) : null;
                    if (n != null && n[0] > 1) {
                        byIp.computeIfAbsent(p.podIP(), k -> new ArrayList<>())
                                .add(new Member(c.cluster(), p.namespace(), p.name(), p.uid(), p.nodeName(), p.createdEpochSecond()));
                    }
                }
            }
            byIp.forEach((ip, members) -> {
                if (members.size() > 1) { // a pod may have changed between the passes
                    members.sort(Comparator.comparing(Member::cluster).thenComparing(Member::namespace).thenComparing(Member::name));
                    out.add(new Conflict(idc, ip, List.copyOf(members)));
                }
            });
        });
        return out;
    }

    static boolean live(PodRecord p) {
        return p.podIP() != null && !p.podIP().isEmpty() && !p.terminating() && !Objects.equals(p.podIP(), p.hostIP())
                && !"Succeeded".equals(p.phase()) && !"Failed".equals(p.phase());
    }
}
