package io.noah.cluster.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every background loop of Noah (lease loops, publishers, probes, registry sync, release executor)
 * runs its body through {@link #guard}: any {@link Throwable} — an {@code Error} such as
 * {@code NoClassDefFoundError} included — is caught, so a {@code ScheduledExecutorService} never
 * cancels the loop silently; it is logged with its stack trace once per failure streak (again only
 * when a different error follows), and health shows the last error of every loop that is failing.
 */
public final class Loops {

    private static final Logger log = LoggerFactory.getLogger(Loops.class);

    /** One loop as health shows it; {@code failures} counts the current streak (0: its last run succeeded). */
    public record Status(String name, long runs, long failures, Instant lastRunAt, Instant failingSince, String lastError) {
        public boolean failing() {
            return failures > 0;
        }
    }

    private final Clock clock;
    private final Map<String, Loop> loops = new ConcurrentHashMap<>();

    public Loops(Clock clock) {
        this.clock = clock;
    }

    /** For code without a shared instance (plain-Java tests, benchmarks). */
    public static Loops standalone() {
        return new Loops(Clock.systemUTC());
    }

    private final class Loop {
        final String name;
        long runs;
        long failures;
        Instant lastRunAt;
        Instant failingSince;
        String lastError;
        String loggedError;

        Loop(String name) {
            this.name = name;
        }

        synchronized Status status() {
            return new Status(name, runs, failures, lastRunAt, failingSince, lastError);
        }

        synchronized void succeeded() {
            runs++;
            lastRunAt = clock.instant();
            if (failures > 0) {
                log.info("background loop {} works again after {} failed runs", name, failures);
            }
            failures = 0;
            failingSince = null;
            lastError = null;
            loggedError = null;
        }

        void failed(Throwable t) {
            String error = describe(t);
            boolean first;
            synchronized (this) {
                runs++;
                lastRunAt = clock.instant();
                if (failures++ == 0) {
                    failingSince = lastRunAt;
                }
                lastError = error;
                first = !error.equals(loggedError);
                loggedError = error;
            }
            if (first) {
                log.error("background loop {} failed (it keeps running; health shows the error until a run succeeds)", name, t);
            } else {
                log.debug("background loop {} failed again: {}", name, error);
            }
        }
    }

    /** The body wrapped: never throws, records the outcome of every run under {@code name}. */
    public Runnable guard(String name, Runnable body) {
        Loop loop = loops.computeIfAbsent(name, Loop::new);
        return () -> {
            try {
                body.run();
                loop.succeeded();
            } catch (Throwable t) { // NOPMD: a background loop must outlive any error; logged and shown in health
                loop.failed(t);
            }
        };
    }

    /**
     * Records a failure of a loop that handles its own errors (e.g. a publisher thread that ends and is
     * restarted by its owner): logged once with the stack trace, shown in health until {@link #succeeded}.
     */
    public void failed(String name, Throwable t) {
        loops.computeIfAbsent(name, Loop::new).failed(t);
    }

    public void succeeded(String name) {
        loops.computeIfAbsent(name, Loop::new).succeeded();
    }

    /** A loop that ended for good (its cluster removed): no longer shown. */
    public void forget(String name) {
        loops.remove(name);
    }

    public List<Status> status() {
        List<Status> out = new ArrayList<>();
        loops.values().forEach(l -> out.add(l.status()));
        out.sort(Comparator.comparing(Status::name));
        return out;
    }

    public boolean anyFailing() {
        return loops.values().stream().anyMatch(l -> l.status().failing());
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getName() + (m == null ? "" : ": " + m);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
