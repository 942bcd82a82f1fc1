package io.noah.api.web;

import io.noah.cluster.health.Loops;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /actuator/health} component "loops": every background loop (lease loops, publishers, probes,
 * registry sync, release executor) with its last error while it is failing. DEGRADED (HTTP 200: Noah
 * still serves) while any loop's last run failed.
 */
@Component("loops")
public class LoopsHealthIndicator implements HealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "a background loop is failing; see its error");

    private final Loops loops;

    public LoopsHealthIndicator(Loops loops) {
        this.loops = loops;
    }

    @Override
    public Health health() {
        Map<String, Object> detail = new LinkedHashMap<>();
        boolean failing = false;
        for (Loops.Status s : loops.status()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("runs", s.runs());
            d.put("lastRunAt", s.lastRunAt());
            if (s.failing()) {
                failing = true;
                d.put("failures", s.failures());
                d.put("failingSince", s.failingSince());
                d.put("error", s.lastError());
            }
            detail.put(s.name(), d);
        }
        return (failing ? Health.status(DEGRADED) : Health.up()).withDetails(detail).build();
    }
}
