package io.noah.hpa;

import java.time.Instant;

/** A stored autoscaler policy: its spec, a version for compare-and-set updates, who made it and when. */
public record Autoscaler(String id, PolicySpec spec, long version, String createdBy, Instant createdAt, Instant updatedAt) {

    public Autoscaler withSpec(PolicySpec next, Instant now) {
        return new Autoscaler(id, next, version, createdBy, createdAt, now);
    }
}
