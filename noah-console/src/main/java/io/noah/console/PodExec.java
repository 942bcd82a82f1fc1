package io.noah.console;

import io.noah.cluster.ops.PodExecs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One command in one container ({@link PodExecs#run}) as an {@link ExecOutcome}: the OS-user wrapper's typed errors
 * recognised, nothing thrown. {@link #open()} counts the exec connections open right now, terminals included (a gauge:
 * it returns to its baseline when nothing runs).
 */
public final class PodExec {

    private final AtomicInteger open = new AtomicInteger();
    private final PodExecs execs;
    private final Clock clock;

    public PodExec(PodExecs execs, Clock clock) {
        this.execs = execs;
        this.clock = clock;
    }

    public int open() {
        return open.get();
    }

    PodExecs execs() {
        return execs;
    }

    /** Counts a connection opened elsewhere (terminals) in the same gauge; call {@link #closed()} when it ends. */
    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    public ExecOutcome run(String cluster, String namespace, String pod, String container, List<String> argv, Duration timeout, int outputCap) {
        Instant start = clock.instant();
        open.incrementAndGet();
        PodExecs.Result r;
        try {
            r = execs.run(cluster, namespace, pod, container, argv, timeout, outputCap);
        } finally {
            open.decrementAndGet();
        }
        ExecOutcome.Kind kind;
        String reason = r.reason();
        switch (r.kind()) {
            case EXITED -> {
                OsUser.Typed typed = OsUser.failure(r.exitCode(), r.stderr());
                if (typed != null) {
                    kind = ExecOutcome.Kind.ERROR;
                    reason = typed.failure().code + ": " + typed.message();
                } else {
                    kind = r.exitCode() == 0 ? ExecOutcome.Kind.SUCCESS : ExecOutcome.Kind.EXIT;
                }
            }
            case TIMEOUT -> kind = ExecOutcome.Kind.TIMEOUT;
            case UNKNOWN -> kind = ExecOutcome.Kind.UNKNOWN;
            case INTERRUPTED -> {
                kind = ExecOutcome.Kind.CANCELLED;
                reason = "cancelled while running";
            }
            default -> kind = ExecOutcome.Kind.ERROR;
        }
        return new ExecOutcome(cluster, namespace, pod, container, kind, r.exitCode(), r.stdout(), r.stderr(), r.truncated(), reason, start,
                r.millis());
    }
}
