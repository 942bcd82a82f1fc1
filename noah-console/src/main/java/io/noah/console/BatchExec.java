package io.noah.console;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One command over many pods: per cluster {@code perCluster} workers take the cluster's pods in order, and each exec
 * holds one of {@code fanOut} permits, so no more than {@code fanOut} run at once overall and {@code perCluster} in one
 * cluster. Workers are virtual threads (an exec mostly waits on the network). Cancel stops taking pods and closes the
 * running execs; pods never started are reported as cancelled.
 */
public final class BatchExec {

    public record Target(String cluster, String namespace, String pod) {
    }

    public record Spec(List<String> argv, String container, String osUser, Duration perPodTimeout, int fanOut, int perCluster, int outputCap) {
    }

    /** Runs one command in one container ({@link PodExec#run} in production). */
    @FunctionalInterface
    public interface Runner {
        ExecOutcome run(String cluster, String namespace, String pod, String container, List<String> argv, Duration timeout, int outputCap);
    }

    private final Runner exec;
    private final Clock clock;

    public BatchExec(Runner exec, Clock clock) {
        this.exec = exec;
        this.clock = clock;
    }

    /** A started batch: cancel it, wait for it, read its peak concurrency. */
    public static final class Run {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private final List<Thread> workers = new ArrayList<>();

        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                synchronized (workers) {
                    workers.forEach(Thread::interrupt);
                }
            }
        }

        public boolean cancelled() {
            return cancelled.get();
        }

        public int peak() {
            return peak.get();
        }

        public boolean await(Duration d) throws InterruptedException {
            return done.await(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** Starts the batch; every target gets exactly one outcome through {@code sink}, then {@code finished} runs once. */
    public Run start(String name, List<Target> targets, Spec spec, Consumer<ExecOutcome> sink, Runnable finished) {
        Run run = new Run();
        Map<String, ConcurrentLinkedQueue<Target>> byCluster = new LinkedHashMap<>();
        targets.forEach(t -> byCluster.computeIfAbsent(t.cluster(), c -> new ConcurrentLinkedQueue<>()).add(t));
        Semaphore permits = new Semaphore(spec.fanOut(), true);
        List<String> argv = OsUser.command(spec.osUser(), spec.argv());
        AtomicInteger live = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        byCluster.forEach((cluster, queue) -> {
            for (int i = 0; i < Math.min(spec.perCluster(), queue.size()); i++) {
                live.incrementAndGet();
                threads.add(Thread.ofVirtual().name("exec-" + name + "-" + cluster + "-" + i).unstarted(() -> {
                    try {
                        work(run, queue, permits, spec, argv, sink);
                    } finally {
                        if (live.decrementAndGet() == 0) {
                            try {
                                finished.run();
                            } finally {
                                run.done.countDown();
                            }
                        }
                    }
                }));
            }
        });
        synchronized (run.workers) {
            run.workers.addAll(threads);
        }
        if (threads.isEmpty()) {
            finished.run();
            run.done.countDown();
        }
        threads.forEach(Thread::start);
        return run;
    }

    private void work(Run run, ConcurrentLinkedQueue<Target> queue, Semaphore permits, Spec spec, List<String> argv, Consumer<ExecOutcome> sink) {
        Target t;
        while ((t = queue.poll()) != null) {
            if (run.cancelled() || Thread.currentThread().isInterrupted()) {
                sink.accept(notRun(t, spec, "not run: the job was cancelled"));
                continue;
            }
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                sink.accept(notRun(t, spec, "not run: the job was cancelled"));
                continue;
            }
            try {
                run.peak.accumulateAndGet(run.running.incrementAndGet(), Math::max);
                ExecOutcome o;
                try {
                    o = exec.run(t.cluster(), t.namespace(), t.pod(), spec.container(), argv, spec.perPodTimeout(), spec.outputCap());
                } catch (RuntimeException e) {
                    o = new ExecOutcome(t.cluster(), t.namespace(), t.pod(), spec.container(), ExecOutcome.Kind.ERROR, null, "", "", false,
                            io.noah.cluster.ops.PodExecs.describe(e), clock.instant(), 0);
                }
                if (run.cancelled() && o.kind() != ExecOutcome.Kind.SUCCESS && o.kind() != ExecOutcome.Kind.EXIT) {
                    o = new ExecOutcome(o.cluster(), o.namespace(), o.pod(), o.container(), ExecOutcome.Kind.CANCELLED, null, o.stdout(),
                            o.stderr(), o.truncated(), "cancelled while running", o.startedAt(), o.millis());
                }
                sink.accept(o);
            } finally {
                run.running.decrementAndGet();
                permits.release();
            }
        }
    }

    private ExecOutcome notRun(Target t, Spec spec, String why) {
        return new ExecOutcome(t.cluster(), t.namespace(), t.pod(), spec.container(), ExecOutcome.Kind.CANCELLED, null, "", "", false, why,
                null, 0);
    }
}
