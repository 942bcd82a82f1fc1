package io.noah.console;

import java.time.Instant;
import java.util.List;

/**
 * A batch exec as stored: who, why, what ran where, its state and peak concurrency. The per-pod outcomes are stored
 * next to it ({@link ExecJobStore#results}). {@code heartbeatAt}: last write of the instance running it; a running job
 * whose heartbeat stopped is shown as interrupted (its unfinished pods as never run).
 */
public record ExecJob(String id, String createdBy, Instant createdAt, Instant finishedAt, Instant heartbeatAt, State state, String reason,
                      List<String> command, String container, String osUser, long timeoutSeconds, int fanOut, int perCluster,
                      List<BatchExec.Target> targets, int peakConcurrency, String instance) {

    public enum State {
        RUNNING, DONE, CANCELLED, INTERRUPTED;

        public boolean ended() {
            return this != RUNNING;
        }
    }

    public ExecJob ended(State s, Instant at, int peak) {
        return new ExecJob(id, createdBy, createdAt, at, at, s, reason, command, container, osUser, timeoutSeconds, fanOut, perCluster,
                targets, peak, instance);
    }
}
