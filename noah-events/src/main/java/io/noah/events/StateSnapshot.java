package io.noah.events;

import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What a joining instance read of the state topics and checkpoints just before it joined (the last
 * record per key, and the offsets reached). A takeover soon after starts from it and reads only the
 * records written since, instead of the whole topics: the graceful hand-over to a new instance is
 * then short however long the topics are. Trusted for {@link #MAX_AGE} only.
 */
final class StateSnapshot {

    static final Duration MAX_AGE = Duration.ofSeconds(60);

    private final Map<String, Map<String, byte[]>> byTopic = new HashMap<>();
    private final long takenNanos = System.nanoTime();
    private Map<TopicPartition, Long> offsets = Map.of();

    void record(String topic, String key, byte[] value) {
        Map<String, byte[]> m = byTopic.computeIfAbsent(topic, t -> new HashMap<>());
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
    }

    void reached(Map<TopicPartition, Long> offsets) {
        this.offsets = Map.copyOf(offsets);
    }

    Map<TopicPartition, Long> offsets() {
        return offsets;
    }

    boolean fresh() {
        return System.nanoTime() - takenNanos < MAX_AGE.toNanos();
    }

    long ageMs() {
        return (System.nanoTime() - takenNanos) / 1_000_000;
    }

    /** Hands the last record of every key with the prefix to the callback. */
    void replay(String keyPrefix, TopicReader.Callback cb) {
        byTopic.forEach((topic, m) -> m.forEach((key, value) -> {
            if (key.startsWith(keyPrefix)) {
                cb.record(topic, key, value);
            }
        }));
    }

    /**
     * The state topics read once from the beginning (a joining instance's warm-up): class loading, JIT and the
     * broker's page cache then cost nothing during a takeover, and its first takeovers read only what came after.
     * A transactional producer is initialised once for the same reason.
     */
    static StateSnapshot read(EventsSettings settings, java.util.function.BooleanSupplier cancelled) {
        int[] n = new int[1];
        StateSnapshot s = new StateSnapshot();
        s.reached(TopicReader.read(settings.bootstrapServers(), EventKind.takeoverTopics(settings.topics()), "", Map.of(),
                (topic, key, value) -> {
                    s.record(topic, key, value);
                    EventKind<?> k = EventKind.ofStateTopic(settings.topics(), topic);
                    if (k != null && value != null && n[0]++ < 2000) { // JIT: the takeover's parsing
                        k.stateObject(value);
                    }
                }, cancelled));
        try (TxProducer p = new TxProducer(settings, "warm-up." + settings.instanceId(), () -> true)) {
            p.init();
        }
        return s;
    }
}
