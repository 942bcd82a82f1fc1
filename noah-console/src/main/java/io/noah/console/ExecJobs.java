package io.noah.console;

import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Batch exec jobs: started here and run by this instance, their outcomes written to the store every
 * {@code flushEvery} (with a heartbeat), a cancel asked through the store honoured within one flush, a job whose
 * instance stopped shown as interrupted, ended jobs deleted after the retention time.
 */
public final class ExecJobs implements AutoCloseable {

    public static final String LOOP = "exec-jobs";

    private final ExecJobStore store;
    private final BatchExec batch;
    private final Clock clock;
    private final String instance;
    private final Duration flushEvery;
    private final Duration retention;
    private final Loops loops;
    private final Map<String, BatchExec.Run> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("exec-jobs").daemon()
            .factory());

    public ExecJobs(ExecJobStore store, BatchExec batch, Clock clock, String instance, Duration flushEvery, Duration retention, Loops loops) {
        this.store = store;
        this.batch = batch;
        this.clock = clock;
        this.instance = instance;
        this.flushEvery = flushEvery;
        this.retention = retention;
        this.loops = loops;
        // jobs this instance ran before it stopped (a crash, a kill) end now, not after the heartbeat timeout
        housekeeping.execute(loops.guard(LOOP, () -> store.interruptOf(instance)));
        housekeeping.scheduleWithFixedDelay(loops.guard(LOOP, this::housekeep), 5, 30, TimeUnit.SECONDS);
    }

    /** Jobs running on this instance now. */
    public int running() {
        return running.size();
    }

    public ExecJob start(String actor, String reason, List<BatchExec.Target> targets, BatchExec.Spec spec) {
        if (targets.isEmpty()) {
            throw NoahException.invalid(NoahException.Reason.EMPTY_SELECTION, "targets", "the targets select no running pod");
        }
        Instant now = clock.instant();
        ExecJob job = new ExecJob(UUID.randomUUID().toString(), actor, now, null, now, ExecJob.State.RUNNING, reason, spec.argv(),
                spec.container(), spec.osUser(), spec.perPodTimeout().toSeconds(), spec.fanOut(), spec.perCluster(), targets, 0, instance);
        store.insert(job);
        ConcurrentLinkedQueue<ExecOutcome> pending = new ConcurrentLinkedQueue<>();
        Object lock = new Object();
        boolean[] finished = {false};
        BatchExec.Run run = batch.start(job.id().substring(0, 8), targets, spec, pending::add, () -> {
            synchronized (lock) {
                finished[0] = true;
                lock.notifyAll();
            }
        });
        running.put(job.id(), run);
        Thread.ofVirtual().name("exec-job-" + job.id().substring(0, 8)).start(() -> {
            try {
                while (true) {
                    boolean done;
                    synchronized (lock) {
                        if (!finished[0]) {
                            lock.wait(flushEvery.toMillis());
                        }
                        done = finished[0];
                    }
                    List<ExecOutcome> batchOut = drain(pending);
                    if (done) {
                        ExecJob.State s = run.cancelled() ? ExecJob.State.CANCELLED : ExecJob.State.DONE;
                        store.progress(job.id(), batchOut, run.peak(), job.ended(s, clock.instant(), run.peak()));
                        return;
                    }
                    store.progress(job.id(), batchOut, run.peak(), null);
                    if (!run.cancelled() && store.cancelRequested(job.id())) {
                        run.cancel();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.cancel();
            } catch (Throwable t) {
                loops.failed(LOOP, t);
                run.cancel();
            } finally {
                running.remove(job.id());
            }
        });
        return job;
    }

    private static List<ExecOutcome> drain(ConcurrentLinkedQueue<ExecOutcome> q) {
        List<ExecOutcome> out = new ArrayList<>();
        ExecOutcome o;
        while ((o = q.poll()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Cancels a running job (on whichever instance runs it); 409 when it has ended. */
    public void cancel(String id) {
        ExecJob job = require(id);
        if (job.state().ended() || !store.requestCancel(id)) {
            throw new NoahException(NoahException.Reason.CONFLICT, "exec job " + id + " has ended (" + job.state().name().toLowerCase() + ")");
        }
        BatchExec.Run run = running.get(id);
        if (run != null) {
            run.cancel();
        }
    }

    public ExecJob require(String id) {
        return store.find(id).orElseThrow(() -> new NoahException(NoahException.Reason.NOT_FOUND, "no exec job " + id));
    }

    /** A running job whose heartbeat is older than this is shown as interrupted. */
    public Duration staleAfter() {
        return flushEvery.multipliedBy(20).plusSeconds(10);
    }

    void housekeep() {
        Instant now = clock.instant();
        store.interruptStale(now.minus(staleAfter()));
        store.deleteEndedBefore(now.minus(retention));
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        running.values().forEach(BatchExec.Run::cancel);
    }
}
