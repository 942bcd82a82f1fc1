package io.noah.api.web;

import io.noah.events.EventsService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /actuator/health} component "events": per unit of work (cluster or IDC alerts) who leads it
 * and, where this instance does, its publisher state. DEGRADED (HTTP 200: Noah still serves) while a
 * publisher of this instance cannot deliver to Kafka and holds changes back.
 */
@Component("events")
public class EventsHealthIndicator implements HealthIndicator {

    public static final Status DEGRADED = new Status("DEGRADED", "a publisher cannot deliver to Kafka; changes are held");

    private final ObjectProvider<EventsService> events;

    public EventsHealthIndicator(ObjectProvider<EventsService> events) {
        this.events = events;
    }

    @Override
    public Health health() {
        EventsService e = events.getIfAvailable();
        if (e == null) {
            return Health.up().withDetail("enabled", false).build();
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        for (var s : e.status()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("holder", s.holder());
            d.put("epoch", s.epoch());
            d.put("state", s.localState());
            if (s.buffered() != null) {
                d.put("buffered", s.buffered());
            }
            if (s.lastError() != null) {
                d.put("error", s.lastError());
            }
            detail.put(s.work(), d);
        }
        return (e.degraded() ? Health.status(DEGRADED) : Health.up()).withDetails(detail).build();
    }
}
