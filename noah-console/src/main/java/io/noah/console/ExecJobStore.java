package io.noah.console;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where batch exec jobs and their per-pod outcomes live (PostgreSQL in noah-api). */
public interface ExecJobStore {

    void insert(ExecJob job);

    /** Appends outcomes, refreshes the heartbeat and peak concurrency; the state when {@code ended} is non-null. */
    void progress(String id, List<ExecOutcome> outcomes, int peak, ExecJob ended);

    Optional<ExecJob> find(String id);

    List<ExecOutcome> results(String id);

    /** Outcomes stored so far per kind, and how many. */
    java.util.Map<ExecOutcome.Kind, Integer> counts(String id);

    List<ExecJob> list(int limit);

    /** Asks the instance running the job to cancel it (it polls); true when the job is running. */
    boolean requestCancel(String id);

    boolean cancelRequested(String id);

    /** Running jobs whose heartbeat is older than {@code staleBefore}: marked interrupted, their missing outcomes added. */
    int interruptStale(Instant staleBefore);

    /** Running jobs of {@code instance} (which just started, so runs none): marked interrupted as above. */
    int interruptOf(String instance);

    /** Ended jobs finished before {@code before} deleted with their outcomes. */
    int deleteEndedBefore(Instant before);
}
