package io.noah.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;

/** One unit of work's meters, tagged {@code unit} ("cluster.NAME" or "alerts.IDC"). */
record PublisherMetrics(Timer latency, Timer commit, DistributionSummary batch, Counter published, Counter failures, Counter fenced, Counter rejected, Counter resyncs, Counter suspensions) {

    static PublisherMetrics of(MeterRegistry registry, String unit) {
        String tagKey = "unit";
        String tagValue = unit;
        MeterRegistry r = registry == null ? new SimpleMeterRegistry() : registry;
        Timer latency = Timer.builder("noah.events.latency")
                .description("from receiving a Kubernetes change to Kafka acknowledging its transaction")
                .tag(tagKey, tagValue).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(120)).register(r);
        Timer commit = Timer.builder("noah.events.commit")
                .description("one Kafka transaction of a batch: begin, send, commit acknowledged")
                .tag(tagKey, tagValue).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(r);
        DistributionSummary batch = DistributionSummary.builder("noah.events.batch.records")
                .description("records (changes, states, checkpoints) in one transaction").tag(tagKey, tagValue).register(r);
        Counter published = Counter.builder("noah.events.published").description("events committed to Kafka").tag(tagKey, tagValue).register(r);
        Counter failures = Counter.builder("noah.events.failures").description("transactions Kafka did not accept (retried)")
                .tag(tagKey, tagValue).register(r);
        Counter fenced = Counter.builder("noah.events.fenced").description("times the broker fenced this instance's producer")
                .tag(tagKey, tagValue).register(r);
        Counter rejected = Counter.builder("noah.events.lease.lost.batches")
                .description("batches not published because the lease had expired locally").tag(tagKey, tagValue).register(r);
        Counter resyncs = Counter.builder("noah.events.resyncs").description("full lists diffed against the last published state")
                .tag(tagKey, tagValue).register(r);
        Counter suspensions = Counter.builder("noah.events.watch.suspensions")
                .description("watches paused because the buffer was full (resumed from their position once it drains)")
                .tag(tagKey, tagValue).register(r);
        return new PublisherMetrics(latency, commit, batch, published, failures, fenced, rejected, resyncs, suspensions);
    }
}
