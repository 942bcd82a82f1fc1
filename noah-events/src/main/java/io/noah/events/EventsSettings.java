package io.noah.events;

import java.time.Duration;
import java.util.Map;

/**
 * How the publisher runs.
 *
 * @param bootstrapServers Kafka
 * @param topics           where each stream goes
 * @param instanceId       this Noah instance (lease holder name, {@code noahleader} on every event)
 * @param lease            how long a lease lasts without renewal: a crashed holder's clusters move after this
 * @param poll             how often leases are renewed and free ones claimed
 * @param bufferCapacity   watch events held per cluster while Kafka is slow or down; when full the watches
 *                         pause (back-pressure) and resume from their last resourceVersion
 * @param partitions       partitions of the topics Noah creates
 * @param replicationFactor replication of the topics Noah creates (0 = the broker's default)
 * @param producer         extra Kafka producer properties
 * @param localLeaseCheck  false only in the fencing test: shows that Kafka alone rejects a deposed leader
 */
public record EventsSettings(String bootstrapServers, Topics topics, String instanceId, Duration lease, Duration poll,
                             int bufferCapacity, int partitions, short replicationFactor, Map<String, String> producer,
                             boolean localLeaseCheck) {

    /** Topic names. */
    public record Topics(String changes, String pods, String deployments, String nodes, String alerts, String checkpoints) {
        public java.util.List<String> all() {
            return java.util.List.of(changes, pods, deployments, nodes, alerts, checkpoints);
        }
    }

    public EventsSettings {
        producer = producer == null ? Map.of() : Map.copyOf(producer);
    }

    /** Transactional id of a cluster's (or an IDC's alerts') publisher; one per topic set. */
    String transactionalId(String work) {
        return "noah." + topics.checkpoints() + "." + work;
    }

    /** Lease name of a unit of work; leases are per topic set too. */
    String leaseName(String work) {
        return topics.checkpoints() + "/" + work;
    }
}
