package io.noah.events;

import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fence a deposed leader cannot pass, on the real broker: once the new leader's producer has
 * initialised (same transactional id), every write of the old one fails and none of it is visible
 * to read_committed consumers, whatever the old one believes about its lease.
 */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class KafkaFencingTest {

    @Test
    void aNewLeaderFencesTheOldOneAtTheBroker() {
        EventsSettings.Topics topics = topics("fence");
        EventsSettings old = settings(topics, "old");
        EventsSettings next = settings(topics, "new");
        try (TxProducer a = new TxProducer(old, "cluster.x", () -> true); TxProducer b = new TxProducer(next, "cluster.x", () -> true)) {
            a.init();
            a.sendAll(List.of(record(topics, "x/ns/p1", "from-old-before")));
            b.init(); // the new leader takes over: the broker bumps the epoch of this transactional id
            assertThrows(TxProducer.FencedException.class, () -> a.sendAll(List.of(record(topics, "x/ns/p2", "from-old-after"))));
            b.sendAll(List.of(record(topics, "x/ns/p3", "from-new")));
        }
        List<String> seen = new ArrayList<>();
        TopicReader.read(LocalStack.get().kafkaBootstrapServers(), List.of(topics.changes()), "x/",
                (t, k, v) -> seen.add(new String(v, StandardCharsets.UTF_8)), () -> false);
        assertEquals(List.of("from-old-before", "from-new"), seen, "nothing the fenced producer wrote is visible");
    }

    /**
     * The fence has no notion of who is newer: an ex-leader that re-creates its producer (Kafka failed the old
     * one while it was paused) would fence the new leader and publish its stale batch after the new leader's
     * records. Re-creating needs a valid lease, checked whatever the local lease check on sends says.
     */
    @Test
    void aDeposedLeaderNeverRecreatesItsProducer() {
        EventsSettings.Topics topics = topics("refence");
        java.util.concurrent.atomic.AtomicBoolean oldLease = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (TxProducer a = new TxProducer(settings(topics, "old", false), "cluster.y", oldLease::get);
             TxProducer b = new TxProducer(settings(topics, "new", false), "cluster.y", () -> true)) {
            a.init();
            a.sendAll(List.of(record(topics, "y/ns/p1", "from-old-before")));
            a.close(); // Kafka failed the old leader's producer (a timed-out commit that could not be aborted)
            oldLease.set(false); // paused past its lease meanwhile
            b.init();
            b.sendAll(List.of(record(topics, "y/ns/p2", "from-new")));
            assertThrows(LeaseLost.class, () -> a.sendAll(List.of(record(topics, "y/ns/p3", "from-old-after"))));
            b.sendAll(List.of(record(topics, "y/ns/p4", "from-new-again"))); // not fenced by the old one
        }
        List<String> seen = new ArrayList<>();
        TopicReader.read(LocalStack.get().kafkaBootstrapServers(), List.of(topics.changes()), "y/",
                (t, k, v) -> seen.add(new String(v, StandardCharsets.UTF_8)), () -> false);
        assertEquals(List.of("from-old-before", "from-new", "from-new-again"), seen);
    }

    /** Topics of their own for one test. */
    private static EventsSettings.Topics topics(String name) {
        String prefix = name + UUID.randomUUID().toString().substring(0, 8) + ".";
        return new EventsSettings.Topics(prefix + "changes", prefix + "pods", prefix + "deployments",
                prefix + "nodes", prefix + "alerts", prefix + "checkpoints");
    }

    private static ProducerRecord<String, byte[]> record(EventsSettings.Topics t, String key, String value) {
        return new ProducerRecord<>(t.changes(), 0, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static EventsSettings settings(EventsSettings.Topics topics, String instance) {
        return settings(topics, instance, true);
    }

    private static EventsSettings settings(EventsSettings.Topics topics, String instance, boolean localLeaseCheck) {
        return new EventsSettings(LocalStack.get().kafkaBootstrapServers(), topics, instance, Duration.ofSeconds(5),
                Duration.ofSeconds(1), 1000, 1, (short) 0, Map.of(), localLeaseCheck);
    }
}
