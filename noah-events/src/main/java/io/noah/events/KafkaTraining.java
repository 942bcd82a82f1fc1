package io.noah.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Properties;

/**
 * For the build's AOT training run only (noah-api, {@code noah.aot-training}): the Kafka clients the publisher
 * creates once it starts (admin, transactional producer, read_committed consumer), created for a port nothing
 * listens on and closed at once, so their classes are in the cache.
 */
public final class KafkaTraining {

    private KafkaTraining() {
    }

    public static void exercise() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        Admin.create(p).close(Duration.ZERO);
        Properties producer = new Properties();
        producer.putAll(p);
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "aot-training");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        new KafkaProducer<>(producer, new StringSerializer(), new ByteArraySerializer()).close(Duration.ZERO);
        Properties consumer = new Properties();
        consumer.putAll(p);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()).close(Duration.ZERO);
    }
}
