package io.noah.events;

import java.time.Duration;
import java.util.Map;

/** Publisher settings for the planners' unit tests: topics {@code t.*}, instance {@code i1}, nothing to dial. */
final class TestSettings {

    static final EventsSettings.Topics TOPICS = new EventsSettings.Topics("t.changes", "t.pods", "t.deployments", "t.nodes",
            "t.alerts", "t.checkpoints");
    static final EventsSettings SETTINGS = new EventsSettings("127.0.0.1:1", TOPICS, "i1", Duration.ofSeconds(15),
            Duration.ofSeconds(1), 100, 1, (short) 0, Map.of(), true);

    private TestSettings() {
    }
}
