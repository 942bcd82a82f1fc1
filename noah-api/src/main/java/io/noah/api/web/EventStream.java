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

    /** One look at what the stream shows: its version, the event to send when that changed, and whether it is the last. */
    record Look(Object version, SseEmitter.SseEventBuilder event, boolean last) {
    }

    /**
     * Streams by polling on a virtual thread: every {@code every}, the event of {@code look} is sent when its version
     * changed; the last look completes the stream; a keep-alive comment after 15 s of quiet.
     */
    SseEmitter polling(String threadName, Duration every, java.util.concurrent.Callable<Look> look) {
        Thread.ofVirtual().name(threadName).start(() -> {
            Object version = null;
            long quietSince = System.nanoTime();
            try {
                while (open()) {
                    Look now = look.call();
                    if (!now.version().equals(version)) {
                        version = now.version();
                        quietSince = System.nanoTime();
                        emitter.send(now.event());
                    } else if (System.nanoTime() - quietSince > Duration.ofSeconds(15).toNanos()) {
                        quietSince = System.nanoTime();
                        emitter.send(SseEmitter.event().comment("keep-alive"));
                    }
                    if (now.last()) {
                        emitter.complete();
                        return;
                    }
                    Thread.sleep(every.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.complete();
            } catch (Exception e) {
                emitter.completeWithError(e);
            } finally {
                closed();
            }
        });
        return emitter;
    }
}
