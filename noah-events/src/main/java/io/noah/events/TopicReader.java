package io.noah.events;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * Reads topics from the beginning to their last committed record (read_committed), handing every
 * record whose key starts with a prefix to a callback, in offset order per partition. This is how a
 * new leader learns what was last published for its cluster: Kafka is the source of truth.
 */
final class TopicReader {

    interface Callback {
        void record(String topic, String key, byte[] value);
    }

    private TopicReader() {
    }

    static void read(String bootstrapServers, List<String> topics, String keyPrefix, Callback cb, BooleanSupplier cancelled) {
        read(bootstrapServers, topics, keyPrefix, Map.of(), cb, cancelled);
    }

    /**
     * Reads from the given offsets (the beginning for partitions not given) to the last committed
     * record; returns the offsets reached, from which a later read can continue.
     */
    static Map<TopicPartition, Long> read(String bootstrapServers, List<String> topics, String keyPrefix, Map<TopicPartition, Long> from,
                                          Callback cb, BooleanSupplier cancelled) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        // a partition with nothing new would hold every fetch for the default 500 ms: a takeover waits on this read
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                List<PartitionInfo> infos = c.partitionsFor(t, Duration.ofSeconds(10));
                if (infos == null) {
                    continue;
                }
                infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
            }
            c.assign(parts);
            List<TopicPartition> fromStart = new ArrayList<>();
            for (TopicPartition tp : parts) {
                Long offset = from.get(tp);
                if (offset == null) {
                    fromStart.add(tp);
                } else {
                    c.seek(tp, offset);
                }
            }
            c.seekToBeginning(fromStart);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(10));
            while (!done(c, end)) {
                if (cancelled.getAsBoolean()) {
                    throw new IllegalStateException("cancelled");
                }
                // short: a poll that only moves past transaction markers returns nothing and would wait it out
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(30))) {
                    if (r.key() != null && r.key().startsWith(keyPrefix)) {
                        cb.record(r.topic(), r.key(), r.value());
                    }
                }
            }
            Map<TopicPartition, Long> reached = new java.util.HashMap<>();
            parts.forEach(tp -> reached.put(tp, c.position(tp)));
            return reached;
        }
    }

    private static boolean done(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
