package io.noah.events;

import io.noah.cluster.health.Loops;
import io.noah.cluster.model.ClusterConnection;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.cluster.registry.KubeClientFactory;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new holder of an IDC's alerts reads the active alerts before publishing anything, also when that read
 * fails once right after its producer fenced the previous holder: otherwise it would never clear an alert that
 * ended while nobody held the IDC (and would raise active ones again).
 */
@Tag("stack") // needs the local stack: not in the unit tier (mvn test -P unit)
@ExtendWith(LocalStackExtension.class)
class AlertPublisherTakeoverTest {

    @Test
    void aFailedStateReadIsRetriedSoAnAlertThatEndedMeanwhileIsCleared() throws Exception {
        LocalStack stack = LocalStack.get();
        String id = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "alerts" + id + ".";
        String idc = "dct-" + id;
        EventsSettings.Topics topics = new EventsSettings.Topics(prefix + "changes", prefix + "pods", prefix + "deployments",
                prefix + "nodes", prefix + "alerts", prefix + "checkpoints");
        EventsSettings settings = new EventsSettings(stack.kafkaBootstrapServers(), topics, "i-" + id, Duration.ofSeconds(15),
                Duration.ofSeconds(1), 100, 1, (short) 0, Map.of(), true);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topics.alerts(), 1, (short) 1))).all().get();
        }
        // an alert the previous holder raised; the conflict has ended since (the IDC has no such pods now)
        String key = idc + "/10.250.0.9";
        ObjectNode raised = Envelopes.event("old-raise", "/noah/idcs/" + idc, "io.noah.alert.ip-conflict.raised", "10.250.0.9", "old", 1);
        ObjectNode data = raised.putObject("data");
        data.put("idc", idc);
        data.put("ip", "10.250.0.9");
        data.putArray("pods").addObject().put("cluster", "gone").put("uid", "u1");
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.alerts(), key, Envelopes.bytes(raised))).get();
        }

        AtomicInteger reads = new AtomicInteger();
        AlertPublisher.StateReader real = AlertPublisher.topicReader(settings);
        AlertPublisher.StateReader failingOnce = (i, cancelled) -> {
            if (reads.incrementAndGet() == 1) {
                throw new org.apache.kafka.common.errors.TimeoutException("simulated: the broker went away after initTransactions");
            }
            return real.read(i, cancelled);
        };
        String cluster = stack.clusters().getFirst();
        try (ClusterRegistry registry = new ClusterRegistry(new KubeClientFactory(Duration.ofSeconds(3), Duration.ofSeconds(10)),
                new ClusterRegistry.Settings("app", List.of("empty-" + id), Duration.ofSeconds(5)), Clock.systemUTC(), null,
                Loops.standalone());
             AlertPublisher publisher = new AlertPublisher(idc, registry, settings, 2, () -> true, PublisherMetrics.of(null, "alerts." + idc),
                     failingOnce)) {
            registry.register(new ClusterSpec("c-" + id, idc, null, Map.of(), false,
                    new ClusterConnection.Kubeconfig(stack.kubeconfigText(cluster), null), ClusterSpec.Source.API));
            publisher.start();
            await("the ended alert cleared").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
                Map<String, String> last = new HashMap<>();
                TopicReader.read(stack.kafkaBootstrapServers(), List.of(topics.alerts()), idc + "/",
                        (t, k, v) -> last.put(k, v == null ? null : Envelopes.read(v).get("type").asString()), () -> false);
                return "io.noah.alert.ip-conflict.cleared".equals(last.get(key));
            });
            assertThat(reads.get()).as("read again after the failed read").isGreaterThanOrEqualTo(2);
            assertThat(publisher.state()).isEqualTo(ClusterPublisher.State.PUBLISHING);
        }
    }
}
