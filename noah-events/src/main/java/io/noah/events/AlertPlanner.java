package io.noah.events;

import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One IDC's IP-conflict alerts, pure: the alerts active now (key {@code idc/ip} → member pods {@code cluster/uid})
 * and the conflicts found → the records that make them match (raised, updated when the members change, cleared)
 * and the alerts active once they are committed.
 */
final class AlertPlanner {

    record Plan(List<ProducerRecord<String, byte[]>> records, Map<String, Set<String>> active) {
    }

    private AlertPlanner() {
    }

    static Plan plan(String idc, Map<String, Set<String>> active, List<IpConflicts.Conflict> conflicts, EventsSettings settings, long epoch) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        Map<String, Set<String>> next = new HashMap<>();
        for (IpConflicts.Conflict c : conflicts) {
            String key = idc + "/" + c.ip();
            Set<String> members = c.pods().stream().map(m -> m.cluster() + "/" + m.uid()).collect(Collectors.toCollection(TreeSet::new));
            next.put(key, members);
            Set<String> was = active.get(key);
            if (was == null || !was.equals(members)) {
                records.add(record(idc, key, c.ip(), was == null ? "raised" : "updated", members, c, settings, epoch));
            }
        }
        for (var e : active.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                records.add(record(idc, e.getKey(), e.getKey().substring(idc.length() + 1), "cleared", e.getValue(), null, settings, epoch));
            }
        }
        return new Plan(records, next);
    }

    private static ProducerRecord<String, byte[]> record(String idc, String key, String ip, String what, Set<String> members,
                                                         IpConflicts.Conflict c, EventsSettings settings, long epoch) {
        ObjectNode data = Envelopes.JSON.createObjectNode();
        data.put("alert", "ip-conflict");
        data.put("idc", idc);
        data.put("ip", ip);
        data.put("state", what.equals("cleared") ? "cleared" : "active");
        if (c != null) {
            data.set("pods", Envelopes.tree(c.pods()));
            data.put("since", Instant.ofEpochSecond(c.sinceEpochSecond()).toString());
        } else {
            var arr = data.putArray("pods");
            for (String m : members) {
                ObjectNode p = arr.addObject();
                p.put("cluster", m.substring(0, m.indexOf('/')));
                p.put("uid", m.substring(m.indexOf('/') + 1));
            }
        }
        // unique per emission (a conflict can clear and come back with the same pods); never re-sent, Kafka transactions see to that
        String id = "ip-conflict/" + key + "/" + what + "/" + Integer.toHexString(members.hashCode()) + "/" + epoch + "-" + System.currentTimeMillis();
        ObjectNode e = Envelopes.event(id, "/noah/idcs/" + idc, "io.noah.alert.ip-conflict." + what, ip, settings.instanceId(), epoch);
        e.set("data", data);
        return new ProducerRecord<>(settings.topics().alerts(), key, Envelopes.bytes(e));
    }
}
