package io.noah.api;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A test consumer of Noah's topics, the way a CMDB would read them: read_committed, from the
 * beginning, de-duplicating change events by CloudEvents id, and rebuilding the current pods from the
 * compacted state topic alone.
 */
public final class KafkaEventLog implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One change event as read. */
    public record Event(String id, String type, String cluster, String namespace, String name, String uid, String leader,
                        long epoch, int partition, long offset, long timestamp, JsonNode raw) {
    }

    private final String prefix;
    private final KafkaConsumer<String, String> consumer;
    private final Map<String, Event> byId = new LinkedHashMap<>();
    private final List<Event> all = new ArrayList<>();
    private final Map<String, JsonNode> podState = new HashMap<>();
    private final Map<String, JsonNode> alertState = new HashMap<>();
    private final List<JsonNode> alerts = new ArrayList<>();

    public KafkaEventLog(String bootstrap, String topicPrefix) {
        this.prefix = topicPrefix;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    public static String changes(String prefix) {
        return prefix + "changes";
    }

    /** Reads whatever is committed now (call repeatedly; the broker may be down in between). */
    public synchronized KafkaEventLog poll() {
        if (consumer.assignment().isEmpty()) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : List.of(prefix + "changes", prefix + "pods", prefix + "alerts")) {
                var infos = consumer.partitionsFor(t, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    return this; // not created yet
                }
                infos.forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                handle(r);
            }
        }
        return this;
    }

    private void handle(ConsumerRecord<String, String> r) {
        if (r.topic().endsWith("pods")) {
            if (r.value() == null) {
                podState.remove(r.key());
            } else {
                podState.put(r.key(), JSON.readTree(r.value()));
            }
            return;
        }
        JsonNode e = JSON.readTree(r.value());
        if (r.topic().endsWith("alerts")) {
            alerts.add(e);
            alertState.put(r.key(), e);
            return;
        }
        JsonNode d = e.get("data");
        Event ev = new Event(e.get("id").asString(), e.get("type").asString(), text(d, "cluster"), text(d, "namespace"),
                text(d, "name"), text(d, "uid"), e.get("noahleader").asString(), e.get("noahepoch").asLong(), r.partition(),
                r.offset(), r.timestamp(), e);
        all.add(ev);
        byId.putIfAbsent(ev.id(), ev);
    }

    private static String text(JsonNode d, String f) {
        return d == null || d.get(f) == null || d.get(f).isNull() ? null : d.get(f).asString();
    }

    /** Change events de-duplicated by id, in the order first read. */
    public synchronized List<Event> events() {
        return List.copyOf(byId.values());
    }

    /** Every change record read, duplicates included. */
    public synchronized List<Event> records() {
        return List.copyOf(all);
    }

    /** Pod uids with an event of this type ("io.noah.pod.added"...) in a cluster and namespace. */
    public synchronized Set<String> podUids(String type, String cluster, String namespace) {
        return byId.values().stream().filter(e -> e.type().equals(type) && cluster.equals(e.cluster()) && namespace.equals(e.namespace()))
                .map(Event::uid).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The current pods as rebuilt from the compacted state topic: "cluster/namespace/name" → uid. */
    public synchronized Map<String, String> currentPods() {
        Map<String, String> m = new java.util.TreeMap<>();
        podState.forEach((k, v) -> m.put(k, v.get("data").get("object").get("uid").asString()));
        return m;
    }

    /** Last alert record per "idc/ip". */
    public synchronized Map<String, JsonNode> alertState() {
        return Map.copyOf(alertState);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
