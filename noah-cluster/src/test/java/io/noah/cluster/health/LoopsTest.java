package io.noah.cluster.health;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A background loop outlives any Throwable, logs it once with its stack trace and shows it until it works again. */
class LoopsTest {

    @Test
    void aScheduledLoopSurvivesAnErrorLogsItOnceAndShowsItUntilARunSucceeds() {
        Loops loops = Loops.standalone();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((Logger) LoggerFactory.getLogger(Loops.class)).addAppender(log);
        AtomicInteger runs = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
        try {
            // what the packaged server once did: a class missing at run time, on every tick
            ses.scheduleWithFixedDelay(loops.guard("lease-loop", () -> {
                runs.incrementAndGet();
                if (broken.get()) {
                    throw new NoClassDefFoundError("org/apache/kafka/clients/admin/Admin");
                }
            }), 0, 10, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
            Loops.Status failing = loops.status().getFirst();
            assertThat(failing.failing()).isTrue();
            assertThat(failing.lastError()).contains("NoClassDefFoundError", "kafka");
            assertThat(loops.anyFailing()).isTrue();
            // the executor did not cancel the task: it runs on and recovers
            int before = runs.get();
            broken.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() > before + 1 && !loops.anyFailing());
            assertThat(loops.status().getFirst().lastError()).isNull();
        } finally {
            ses.shutdownNow();
            ((Logger) LoggerFactory.getLogger(Loops.class)).detachAppender(log);
        }
        var errors = log.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
        assertThat(errors).as("logged once, with its stack trace").hasSize(1);
        assertThat(errors.getFirst().getThrowableProxy().getClassName()).isEqualTo(NoClassDefFoundError.class.getName());
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("works again"));
    }

    @Test
    void aDifferentErrorIsLoggedAgain() {
        Loops loops = Loops.standalone();
        loops.guard("x", () -> {
            throw new IllegalStateException("one");
        }).run();
        loops.guard("x", () -> {
            throw new IllegalStateException("two");
        }).run();
        assertThat(loops.status().getFirst().failures()).isEqualTo(2);
        assertThat(loops.status().getFirst().lastError()).endsWith("two");
        loops.forget("x");
        assertThat(loops.status()).isEmpty();
    }
}
