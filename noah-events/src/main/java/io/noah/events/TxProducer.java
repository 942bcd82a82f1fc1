package io.noah.events;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * A transactional Kafka producer for one unit of work (a cluster, or an IDC's alerts). Its
 * transactional id is fixed per unit, so when a new leader calls {@code initTransactions} the broker
 * bumps the producer epoch and rejects everything the previous leader still tries to write: the
 * fence that holds even for a paused or partitioned ex-leader.
 *
 * <p>That fence has no notion of who is newer: whoever calls {@code initTransactions} last wins. So a
 * producer is only ever created (first, or again after Kafka failed it) while this instance's lease is
 * valid, checked before and after the call: an ex-leader resumed from a pause that re-creates its
 * producer would otherwise fence the new leader and publish its stale batch after the new leader's
 * records. A lapsed lease ends the publisher ({@link LeaseLost}); if the call itself fenced the new
 * leader meanwhile, that leader's publisher ends, its lease is released and taken again.
 */
final class TxProducer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TxProducer.class);

    /** The broker rejected this producer: another leader took over. Fatal for this publisher. */
    static final class FencedException extends RuntimeException {
        FencedException(Throwable cause) {
            super("fenced by a newer leader: " + cause.getMessage(), cause);
        }
    }

    private static final byte[] CONTENT_TYPE = Envelopes.CONTENT_TYPE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final EventsSettings settings;
    private final String transactionalId;
    private final String clientId;
    private final BooleanSupplier leaseValid;
    private KafkaProducer<String, byte[]> producer;

    /** @param leaseValid whether the lease of {@code work} is held now; consulted whatever the local lease check says */
    TxProducer(EventsSettings settings, String work, BooleanSupplier leaseValid) {
        this.settings = settings;
        this.leaseValid = leaseValid;
        this.transactionalId = settings.transactionalId(work);
        this.clientId = "noah-" + settings.instanceId() + "-" + work;
    }

    /**
     * Creates the producer and fences older ones; throws a KafkaException when Kafka is unreachable, and
     * {@link LeaseLost} when the lease is not valid before or after fencing.
     */
    void init() {
        closeQuietly();
        if (!leaseValid.getAsBoolean()) {
            throw new LeaseLost();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        // no compression by default: a batch per partition per transaction is small, and lz4 allocates
        // two 64 KB blocks for each one (measured: 80% of the publisher's allocation, long GC pauses).
        // Set noah.events.producer.compression.type where bandwidth matters more than latency.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        settings.producer().forEach(p::put);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        try {
            producer.initTransactions();
        } catch (RuntimeException e) {
            closeQuietly();
            throw classify(e);
        }
        if (!leaseValid.getAsBoolean()) { // paused or slow inside the call: the lease may be another's by now
            closeQuietly();
            throw new LeaseLost();
        }
    }

    boolean ready() {
        return producer != null;
    }

    /** Writes all records in one transaction; on failure the transaction is aborted (or the producer dropped). */
    void sendAll(List<ProducerRecord<String, byte[]>> records) {
        if (producer == null) {
            init();
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) {
                r.headers().add("content-type", CONTENT_TYPE);
                producer.send(r);
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            RuntimeException c = classify(e);
            if (c instanceof FencedException) {
                closeQuietly();
                throw c;
            }
            try {
                producer.abortTransaction();
            } catch (RuntimeException abort) {
                RuntimeException ca = classify(abort);
                log.debug("{}: abort failed ({}), dropping the producer", transactionalId, abort.toString());
                closeQuietly();
                if (ca instanceof FencedException) {
                    // a newer holder took the transactional id meanwhile (e.g. this process was paused): never
                    // initialise again, which would fence that holder in turn
                    throw ca;
                }
            }
            throw c;
        }
    }

    /** Fencing errors become {@link FencedException}; everything else is retried by the caller. */
    static RuntimeException classify(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof TransactionalIdAuthorizationException) {
                return new FencedException(t);
            }
        }
        return e instanceof KafkaException ? e : new KafkaException(e);
    }

    private void closeQuietly() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("closing producer: {}", e.toString());
            }
            producer = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
