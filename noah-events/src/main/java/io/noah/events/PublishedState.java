package io.noah.events;

import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * What Kafka holds of one cluster as its publisher knows it: the last published object per kind and key, and the
 * checkpoints (last resourceVersion per kind). Read from the compacted topics on takeover ({@link #load}), moved only
 * after a transaction committed ({@link #apply}), and turned into the cluster's removal ({@link #removalRecords}).
 */
final class PublishedState {

    final Map<EventKind<?>, Map<String, Object>> objects = new HashMap<>();
    final Map<EventKind<?>, String> checkpoints = new HashMap<>();

    PublishedState() {
        EventKind.ALL.forEach(k -> objects.put(k, new HashMap<>()));
    }

    /**
     * The cluster's state records and checkpoints read from Kafka: from a fresh warm-up snapshot plus what came
     * after it, or from the beginning; only the last record of each live key is parsed (a topic not yet compacted
     * holds many per key).
     */
    static PublishedState load(EventsSettings settings, String cluster, StateSnapshot preloaded, BooleanSupplier cancelled) {
        PublishedState state = new PublishedState();
        Map<EventKind<?>, Map<String, byte[]>> raw = new HashMap<>();
        EventKind.ALL.forEach(k -> raw.put(k, new HashMap<>()));
        TopicReader.Callback cb = (topic, key, value) -> state.loaded(settings, cluster, raw, topic, key, value);
        if (preloaded != null) {
            preloaded.replay(cluster + "/", cb);
        }
        TopicReader.read(settings.bootstrapServers(), EventKind.takeoverTopics(settings.topics()), cluster + "/",
                preloaded == null ? Map.of() : preloaded.offsets(), cb, cancelled);
        raw.forEach((k, m) -> m.forEach((key, value) -> state.objects.get(k).put(key, k.stateObject(value))));
        return state;
    }

    private void loaded(EventsSettings settings, String cluster, Map<EventKind<?>, Map<String, byte[]>> raw, String topic, String key,
                        byte[] value) {
        if (topic.equals(settings.topics().checkpoints())) {
            String kind = key.substring(cluster.length() + 1);
            for (EventKind<?> k : EventKind.ALL) {
                if (k.name().equals(kind)) {
                    if (value == null) {
                        checkpoints.remove(k);
                    } else {
                        checkpoints.put(k, Envelopes.read(value).get("resourceVersion").asString());
                    }
                }
            }
            return;
        }
        EventKind<?> k = EventKind.ofStateTopic(settings.topics(), topic);
        if (k != null) {
            if (value == null) {
                raw.get(k).remove(key);
            } else {
                raw.get(k).put(key, value);
            }
        }
    }

    /** A committed transaction's effect. */
    void apply(BatchPlanner.Plan plan) {
        plan.applyTo(objects);
        checkpoints.putAll(plan.checkpoints());
    }

    int size(EventKind<?> kind) {
        return objects.get(kind).size();
    }

    /** Whether Kafka holds nothing of the cluster (no state record, no checkpoint). */
    boolean empty() {
        return checkpoints.isEmpty() && EventKind.ALL.stream().allMatch(k -> objects.get(k).isEmpty());
    }

    /**
     * The cluster's removal as one transaction: an {@code io.noah.cluster.removed} event (counts per kind) first,
     * then tombstones for every state record and checkpoint, so the compacted topics hold only clusters Noah watches.
     */
    List<ProducerRecord<String, byte[]>> removalRecords(EventsSettings settings, String cluster, String idc, long epoch) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        ObjectNode data = Envelopes.JSON.createObjectNode();
        data.put("cluster", cluster);
        if (idc != null) {
            data.put("idc", idc);
        }
        for (EventKind<?> k : EventKind.ALL) {
            data.put(k.name() + "s", objects.get(k).size());
            objects.get(k).keySet().forEach(key -> records.add(new ProducerRecord<>(k.stateTopic(settings.topics()), key, null)));
            records.add(new ProducerRecord<>(settings.topics().checkpoints(), cluster + "/" + k.name(), null));
        }
        ObjectNode e = Envelopes.event(cluster + "/removed/" + epoch + "-" + System.currentTimeMillis(), "/noah/clusters/" + cluster,
                "io.noah.cluster.removed", null, settings.instanceId(), epoch);
        e.set("data", data);
        records.addFirst(new ProducerRecord<>(settings.topics().changes(), cluster, Envelopes.bytes(e)));
        return records;
    }
}
