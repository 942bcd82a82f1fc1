package io.noah.events;

import io.noah.cluster.watch.ChangeFeed;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One cluster's batch of watch items (changes, bookmarks, snapshots) and the state last published →
 * the records of one Kafka transaction: change events, current-state records (tombstones on delete),
 * {@code io.noah.cluster.resynced} markers and checkpoints. Pure: it reads the published state and
 * changes nothing; {@link Plan#applyTo} moves the state once the transaction has committed.
 */
final class BatchPlanner {

    private static final Logger log = LoggerFactory.getLogger(BatchPlanner.class);

    /** What a watch hands the publisher, in order. */
    sealed interface Item permits Change, Bookmark, Snapshot {
        EventKind<?> kind();
    }

    record Change(EventKind<?> kind, ChangeFeed.Type type, Object record, String rv, long nanos) implements Item {
    }

    record Bookmark(EventKind<?> kind, String rv) implements Item {
    }

    record Snapshot(EventKind<?> kind, List<?> items, String rv, String reason) implements Item {
    }

    /**
     * One transaction. {@code overlay}: per kind, key → the object's new state (empty: deleted);
     * {@code received}: when each published change was received (latency); {@code events}: change events.
     */
    record Plan(List<ProducerRecord<String, byte[]>> records, Map<EventKind<?>, Map<String, Optional<Object>>> overlay,
                Map<EventKind<?>, String> checkpoints, List<Long> received, int events, int resyncs) {

        boolean isEmpty() {
            return records.isEmpty();
        }

        /** The published state once this transaction has committed. */
        void applyTo(Map<EventKind<?>, Map<String, Object>> published) {
            for (var e : overlay.entrySet()) {
                Map<String, Object> p = published.get(e.getKey());
                e.getValue().forEach((k, v) -> {
                    if (v.isPresent()) {
                        p.put(k, v.get());
                    } else {
                        p.remove(k);
                    }
                });
            }
        }
    }

    /** A state record's identity: a Pod and a Deployment may share cluster/namespace/name. */
    private record StateKey(EventKind<?> kind, String key) {
    }

    private final String cluster;
    private final String idc;
    private final EventsSettings settings;
    private final long epoch;

    BatchPlanner(String cluster, String idc, EventsSettings settings, long epoch) {
        this.cluster = cluster;
        this.idc = idc;
        this.settings = settings;
        this.epoch = epoch;
    }

    Plan plan(List<Item> batch, Map<EventKind<?>, Map<String, Object>> published, Map<EventKind<?>, String> checkpoints) {
        return new Tx(published).plan(batch, checkpoints);
    }

    /** The working state of one plan. */
    private final class Tx {
        final Map<EventKind<?>, Map<String, Object>> published;
        final Map<EventKind<?>, Map<String, Optional<Object>>> overlay = new HashMap<>();
        final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        final Map<StateKey, ProducerRecord<String, byte[]>> states = new LinkedHashMap<>();
        int resyncs;

        Tx(Map<EventKind<?>, Map<String, Object>> published) {
            this.published = published;
        }

        Plan plan(List<Item> batch, Map<EventKind<?>, String> checkpoints) {
            Map<EventKind<?>, String> cps = new HashMap<>();
            List<Long> received = new ArrayList<>();
            int events = 0;
            for (Item item : batch) {
                int before = records.size();
                switch (item) {
                    case Change c -> {
                        change(c);
                        if (records.size() > before) {
                            received.add(c.nanos());
                        }
                        if (c.rv() != null) {
                            cps.put(c.kind(), c.rv());
                        }
                    }
                    case Bookmark b -> cps.put(b.kind(), b.rv());
                    case Snapshot s -> {
                        snapshot(s);
                        cps.put(s.kind(), s.rv());
                    }
                }
                events += records.size() - before;
            }
            cps.entrySet().removeIf(e -> e.getValue().equals(checkpoints.get(e.getKey())));
            records.addAll(states.values());
            for (var e : cps.entrySet()) {
                ObjectNode cp = Envelopes.JSON.createObjectNode();
                cp.put("cluster", cluster);
                cp.put("kind", e.getKey().name());
                cp.put("resourceVersion", e.getValue());
                cp.put("epoch", epoch);
                cp.put("leader", settings.instanceId());
                cp.put("at", Instant.now().toString());
                records.add(new ProducerRecord<>(settings.topics().checkpoints(), cluster + "/" + e.getKey().name(), Envelopes.bytes(cp)));
            }
            return new Plan(records, overlay, cps, received, events, resyncs);
        }

        @SuppressWarnings("unchecked")
        <R> R current(EventKind<R> kind, String key) {
            Map<String, Optional<Object>> o = overlay.get(kind);
            if (o != null && o.containsKey(key)) {
                return (R) o.get(key).orElse(null);
            }
            return (R) published.get(kind).get(key);
        }

        @SuppressWarnings("unchecked")
        <R> void change(Change c) {
            EventKind<R> kind = (EventKind<R>) c.kind();
            R now = (R) c.record();
            String key = kind.key(cluster, now);
            R prev = current(kind, key);
            if (c.type() == ChangeFeed.Type.DELETED) {
                if (prev != null) {
                    deleted(kind, key, prev, now, kind.uid(prev) + "/" + c.rv(), null);
                }
                return;
            }
            upsert(kind, key, prev, now, null);
        }

        <R> void upsert(EventKind<R> kind, String key, R prev, R now, String reason) {
            if (prev != null && !kind.uid(prev).equals(kind.uid(now))) {
                // same name, new object (deleted and recreated while no one watched, or a StatefulSet pod)
                deleted(kind, key, prev, null, kind.uid(prev) + "/replaced@" + kind.resourceVersion(now), reason);
                prev = null;
            }
            String type;
            List<String> changes;
            if (prev == null) {
                type = kind.addedType();
                changes = List.of();
            } else {
                changes = kind.changes(prev, now);
                if (changes.isEmpty()) {
                    return;
                }
                type = kind.updateType(prev, now, changes);
            }
            records.add(changeRecord(kind, key, type, kind.uid(now) + "/" + kind.resourceVersion(now), now, prev, now, changes, reason));
            states.put(new StateKey(kind, key), stateRecord(kind, key, now));
            overlay.computeIfAbsent(kind, k -> new HashMap<>()).put(key, Optional.of(now));
        }

        <R> void deleted(EventKind<R> kind, String key, R prev, R last, String idSuffix, String reason) {
            records.add(changeRecord(kind, key, kind.deletedType(), idSuffix, prev, prev, last, List.of(), reason));
            states.put(new StateKey(kind, key), new ProducerRecord<>(kind.stateTopic(settings.topics()), key, null));
            overlay.computeIfAbsent(kind, k -> new HashMap<>()).put(key, Optional.empty());
        }

        @SuppressWarnings("unchecked")
        <R> void snapshot(Snapshot s) {
            EventKind<R> kind = (EventKind<R>) s.kind();
            Map<String, R> now = new HashMap<>();
            for (Object o : s.items()) {
                R r = (R) o;
                now.put(kind.key(cluster, r), r);
            }
            // what was published (with this batch's earlier changes) but no longer exists: deleted during the gap
            Map<String, Object> before = new HashMap<>(published.get(kind));
            Map<String, Optional<Object>> o = overlay.get(kind);
            if (o != null) {
                o.forEach((k, v) -> {
                    if (v.isPresent()) {
                        before.put(k, v.get());
                    } else {
                        before.remove(k);
                    }
                });
            }
            int added = 0;
            int deleted = 0;
            int updated = 0;
            for (var e : before.entrySet()) {
                if (!now.containsKey(e.getKey())) {
                    R prev = (R) e.getValue();
                    deleted(kind, e.getKey(), prev, null, kind.uid(prev) + "/deleted@" + s.rv(), s.reason());
                    deleted++;
                }
            }
            for (var e : now.entrySet()) {
                R prev = (R) before.get(e.getKey());
                int n = records.size();
                upsert(kind, e.getKey(), prev, e.getValue(), s.reason());
                if (records.size() > n) {
                    if (prev == null) {
                        added++;
                    } else {
                        updated++;
                    }
                }
            }
            resyncs++;
            ObjectNode data = Envelopes.JSON.createObjectNode();
            data.put("cluster", cluster);
            data.put("idc", idc);
            data.put("kind", kind.name());
            data.put("reason", s.reason());
            data.put("resourceVersion", s.rv());
            data.put("added", added);
            data.put("updated", updated);
            data.put("deleted", deleted);
            data.put("existing", now.size());
            ObjectNode e = Envelopes.event(cluster + "/resync/" + kind.name() + "/" + s.rv(), "/noah/clusters/" + cluster,
                    "io.noah.cluster.resynced", null, settings.instanceId(), epoch);
            e.set("data", data);
            records.add(new ProducerRecord<>(settings.topics().changes(), cluster, Envelopes.bytes(e)));
            log.info("cluster {}: {} resynced ({}): {} added, {} updated, {} deleted since the last published state",
                    cluster, kind.name(), s.reason(), added, updated, deleted);
        }
    }

    private <R> ProducerRecord<String, byte[]> changeRecord(EventKind<R> kind, String key, String type, String idSuffix, R subject,
                                                           R before, R after, List<String> changes, String reason) {
        ObjectNode data = Envelopes.JSON.createObjectNode();
        data.put("kind", kind.name());
        data.put("cluster", cluster);
        data.put("idc", idc);
        data.put("namespace", kind.namespace(subject));
        data.put("name", kind.objectName(subject));
        data.put("uid", kind.uid(subject));
        data.put("resourceVersion", after != null ? kind.resourceVersion(after) : kind.resourceVersion(subject));
        if (!changes.isEmpty()) {
            var arr = data.putArray("changes");
            changes.forEach(arr::add);
        }
        if (reason != null) {
            data.put("reason", reason);
        }
        // POJOs, serialized once with the envelope (no intermediate tree)
        if (before == null || type.endsWith(".added")) {
            data.putNull("before");
        } else {
            data.putPOJO("before", before);
        }
        if (after == null || type.endsWith(".deleted")) {
            data.putNull("after");
        } else {
            data.putPOJO("after", after);
        }
        ObjectNode e = Envelopes.event(cluster + "/" + idSuffix, "/noah/clusters/" + cluster, type, kind.subject(subject),
                settings.instanceId(), epoch);
        e.set("data", data);
        return new ProducerRecord<>(settings.topics().changes(), key, Envelopes.bytes(e));
    }

    private <R> ProducerRecord<String, byte[]> stateRecord(EventKind<R> kind, String key, R now) {
        ObjectNode data = Envelopes.JSON.createObjectNode();
        data.put("kind", kind.name());
        data.put("cluster", cluster);
        data.put("idc", idc);
        data.putPOJO("object", now);
        ObjectNode e = Envelopes.event(cluster + "/" + kind.uid(now) + "/" + kind.resourceVersion(now), "/noah/clusters/" + cluster,
                kind.stateType(), kind.subject(now), settings.instanceId(), epoch);
        e.set("data", data);
        return new ProducerRecord<>(kind.stateTopic(settings.topics()), key, Envelopes.bytes(e));
    }
}
