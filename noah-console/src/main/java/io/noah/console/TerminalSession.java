package io.noah.console;

import java.time.Instant;

/**
 * A terminal session as stored: who opened it into which container as which OS user and why, when it started and
 * ended, how ({@code exit}: the shell's exit code, or "unknown"; {@code endedBy}: exit, idle-timeout, max-duration,
 * client-gone, ended-by-admin, error…), and the bytes typed in and sent out. {@code instance}: the Noah instance
 * bridging it.
 */
public record TerminalSession(String id, String actor, String reason, String cluster, String namespace, String pod, String container,
                              String osUser, boolean recorded, Instant createdAt, Instant startedAt, Instant endedAt, String exit,
                              String endedBy, long bytesIn, long bytesOut, String instance) {

    public boolean open() {
        return endedAt == null;
    }
}
