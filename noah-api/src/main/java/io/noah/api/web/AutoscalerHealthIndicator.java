package io.noah.api.web;

import io.noah.hpa.AutoscalerLoop;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The autoscaler on this instance: how many policies it evaluates and its last tick. DEGRADED (HTTP 200: Noah still
 * serves) while a strategy's metric query fails: those pools never scale down and say so in their decisions.
 */
@Component("autoscaler")
public class AutoscalerHealthIndicator implements HealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "the metric source fails for some autoscaler strategies");

    private final AutoscalerLoop loop;

    public AutoscalerHealthIndicator(AutoscalerLoop loop) {
        this.loop = loop;
    }

    @Override
    public Health health() {
        AutoscalerLoop.Status s = loop.status();
        var errors = s.sourceErrors();
        return (errors.isEmpty() ? Health.up() : Health.status(DEGRADED)).withDetail("policies", s.held())
                .withDetail("lastTickMillis", s.lastTick().toMillis()).withDetail("lastTickPhases", s.phases()).withDetail("sourceErrors", errors).build();
    }
}
