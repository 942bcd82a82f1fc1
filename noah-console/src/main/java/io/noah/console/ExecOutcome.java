package io.noah.console;

import java.time.Instant;

/**
 * How one command ended in one container. {@code kind}: success (exit 0), exit (exit N), error (the command could not
 * run or report: Kubernetes refused the exec, the pod is gone, the OS user cannot be used; {@code reason} says which),
 * timeout (killed at the per-pod limit), unknown (the stream ended without an exit status: never reported as 0),
 * cancelled (the job was cancelled before it ran), interrupted (the Noah instance running it stopped).
 */
public record ExecOutcome(String cluster, String namespace, String pod, String container, Kind kind, Integer exitCode,
                          String stdout, String stderr, boolean truncated, String reason, Instant startedAt, long millis) {

    public enum Kind { SUCCESS, EXIT, ERROR, TIMEOUT, UNKNOWN, CANCELLED, INTERRUPTED }

    /** {@code cluster/pod}: the name grouping folds. */
    public String target() {
        return cluster + "/" + pod;
    }
}
