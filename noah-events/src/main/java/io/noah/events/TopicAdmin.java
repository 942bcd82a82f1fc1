package io.noah.events;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The event topics in Kafka: created when missing, as the publishers expect them. */
final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /** Creates the topics that are missing (compacted state topics, segments rolled every 10 min / 64 MB). */
    static void ensure(EventsSettings settings) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            EventsSettings.Topics t = settings.topics();
            for (String name : t.all()) {
                if (existing.contains(name)) {
                    continue;
                }
                NewTopic nt = new NewTopic(name, Optional.of(settings.partitions()),
                        settings.replicationFactor() <= 0 ? Optional.empty() : Optional.of(settings.replicationFactor()));
                if (!name.equals(t.changes())) {
                    // the active segment is never compacted: roll it every 10 min / 64 MB, so a takeover reads about the
                    // live state instead of up to a 1 GB default segment of history
                    nt.configs(Map.of("cleanup.policy", "compact", "segment.ms", "600000", "segment.bytes", "67108864",
                            "min.cleanable.dirty.ratio", "0.2"));
                }
                create.add(nt);
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get(10, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                log.info("created topics {}", create.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka topics could not be checked: " + e, e);
        }
    }
}
