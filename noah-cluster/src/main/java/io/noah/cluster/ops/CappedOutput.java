package io.noah.cluster.ops;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A command's stdout or stderr kept up to a cap; what goes beyond is counted and dropped ({@link #truncated()}). */
final class CappedOutput extends OutputStream {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int cap;
    private long total;

    CappedOutput(int cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        total += len;
        int room = cap - kept.size();
        if (room > 0) {
            kept.write(b, off, Math.min(room, len));
        }
    }

    synchronized boolean truncated() {
        return total > kept.size();
    }

    synchronized long total() {
        return total;
    }

    /** The kept bytes as UTF-8 (a character cut by the cap becomes U+FFFD). */
    synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8);
    }
}
