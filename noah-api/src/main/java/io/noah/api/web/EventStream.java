package io.noah.api.web;

import io.noah.api.releases.ReleaseEventHub;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A server-sent event stream holding one of the instance's stream slots ({@link ReleaseEventHub#open()}, 429 beyond the
 * maximum) until it completes, times out or fails; {@link #closed()} gives the slot back once.
 */
final class EventStream {

    final SseEmitter emitter;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final ReleaseEventHub hub;

    EventStream(ReleaseEventHub hub, Duration timeout) {
        hub.open();
        this.hub = hub;
        this.emitter = new SseEmitter(timeout.toMillis());
        emitter.onCompletion(this::closed);
        emitter.onTimeout(this::closed);
        emitter.onError(e -> closed());
    }

    boolean open() {
        return open.get();
    }

    void closed() {
        if (open.compareAndSet(true, false)) {
            hub.close();
        }
    }
}
