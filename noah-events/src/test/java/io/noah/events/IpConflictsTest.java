package io.noah.events;

import io.noah.cluster.cache.PodRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IP-conflict rules, on cache records (the e2e test shows a real conflict across two clusters). */
class IpConflictsTest {

    private static PodRecord pod(String name, String ip, String hostIp, String phase, boolean terminating, long created) {
        return new PodRecord("c", "ns", name, "uid-" + name, "1", Map.of(), "app", "node-1", ip, hostIp, phase, true, 0,
                null, null, created, terminating, 0, 0, 0, null, null);
    }

    private static PodRecord running(String name, String ip, long created) {
        return pod(name, ip, "192.0.2.1", "Running", false, created);
    }

    @Test
    void twoLivePodsWithOneIpInOneIdcConflictAcrossClusters() {
        List<IpConflicts.Conflict> found = IpConflicts.find(List.of(
                new IpConflicts.Source("a", "dc1", List.of(running("x", "10.0.0.1", 100), running("y", "10.0.0.2", 100))),
                new IpConflicts.Source("b", "dc1", List.of(running("z", "10.0.0.1", 200)))));
        assertEquals(1, found.size());
        IpConflicts.Conflict c = found.getFirst();
        assertEquals("dc1", c.idc());
        assertEquals("10.0.0.1", c.ip());
        assertEquals(List.of("a/x", "b/z"), c.pods().stream().map(m -> m.cluster() + "/" + m.name()).toList());
        assertEquals(200, c.sinceEpochSecond(), "a conflict begins when its second pod was created");
    }

    @Test
    void withinOneClusterToo() {
        List<IpConflicts.Conflict> found = IpConflicts.find(List.of(
                new IpConflicts.Source("a", "dc1", List.of(running("x", "10.0.0.1", 1), running("y", "10.0.0.1", 2)))));
        assertEquals(1, found.size());
        assertEquals(2, found.getFirst().pods().size());
    }

    @Test
    void differentIdcsDoNotConflict() {
        assertTrue(IpConflicts.find(List.of(
                new IpConflicts.Source("a", "dc1", List.of(running("x", "10.0.0.1", 1))),
                new IpConflicts.Source("b", "dc2", List.of(running("y", "10.0.0.1", 1))))).isEmpty());
    }

    @Test
    void podsThatNoLongerHoldTheirIpDoNotConflict() {
        PodRecord live = running("live", "10.0.0.1", 1);
        for (PodRecord other : List.of(
                pod("terminating", "10.0.0.1", "192.0.2.1", "Running", true, 1),
                pod("succeeded", "10.0.0.1", "192.0.2.1", "Succeeded", false, 1),
                pod("failed", "10.0.0.1", "192.0.2.1", "Failed", false, 1),
                pod("host-network", "10.0.0.1", "10.0.0.1", "Running", false, 1),
                pod("no-ip", null, "192.0.2.1", "Pending", false, 1),
                pod("empty-ip", "", "192.0.2.1", "Pending", false, 1))) {
            assertTrue(IpConflicts.find(List.of(new IpConflicts.Source("a", "dc1", List.of(live, other)))).isEmpty(), other.name());
        }
        // two host-network pods on one node share the node's IP: not a conflict either
        assertTrue(IpConflicts.find(List.of(new IpConflicts.Source("a", "dc1", List.of(
                pod("h1", "192.0.2.1", "192.0.2.1", "Running", false, 1),
                pod("h2", "192.0.2.1", "192.0.2.1", "Running", false, 1))))).isEmpty());
    }
}
