package io.noah.api.events;

import io.noah.events.EventsService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** Starts the event publisher after the stored clusters are registered (when Kafka is configured). */
@Component
public class EventsLifecycle {

    private final ObjectProvider<EventsService> events;

    public EventsLifecycle(ObjectProvider<EventsService> events) {
        this.events = events;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(100)
    public void start() {
        events.ifAvailable(EventsService::start);
    }
}
