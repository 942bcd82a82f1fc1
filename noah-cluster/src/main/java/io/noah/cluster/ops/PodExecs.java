package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.noah.cluster.registry.ClusterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The exec subresource, for noah-console: one command without TTY (time limit, capped output, every failure a
 * {@link Result}) and an interactive TTY stream (stdin, resize, output, exit). fabric8 speaks the v4 exec protocol only,
 * so stdin can never be half-closed: commands without TTY get no stdin at all.
 */
public final class PodExecs {

    private final ClusterRegistry registry;

    public PodExecs(ClusterRegistry registry) {
        this.registry = registry;
    }

    /**
     * How a command ended: {@code EXITED} with its code; {@code TIMEOUT} (closed at the limit); {@code UNKNOWN} (the
     * stream ended without an exit status); {@code FAILED} (Kubernetes refused or the stream broke: {@code reason});
     * {@code INTERRUPTED} (the calling thread was interrupted, the exec closed).
     */
    public record Result(Kind kind, Integer exitCode, String stdout, String stderr, boolean truncated, String reason, long millis) {
        public enum Kind { EXITED, TIMEOUT, UNKNOWN, FAILED, INTERRUPTED }
    }

    /** What a terminal needs of the pod: its containers and phase. */
    public record PodInfo(List<String> containers, String phase) {
    }

    /** The pod as the API server has it now (one GET); null when there is no such pod. */
    public PodInfo pod(String cluster, String namespace, String name) {
        Pod p = registry.require(cluster).client().pods().inNamespace(namespace).withName(name).get();
        return p == null ? null : new PodInfo(p.getSpec().getContainers().stream().map(c -> c.getName()).toList(),
                p.getStatus() == null ? null : p.getStatus().getPhase());
    }

    public Result run(String cluster, String namespace, String pod, String container, List<String> argv, Duration timeout, int outputCap) {
        long t0 = System.nanoTime();
        CappedOutput out = new CappedOutput(outputCap);
        CappedOutput err = new CappedOutput(outputCap);
        CompletableFuture<String> closedWithout = new CompletableFuture<>();
        ExecWatch w = null;
        try {
            PodResource r = registry.require(cluster).client().pods().inNamespace(namespace).withName(pod);
            var base = container == null ? r : r.inContainer(container);
            w = base.writingOutput(out).writingError(err).usingListener(new ExecListener() {
                @Override
                public void onFailure(Throwable t, Response failureResponse) {
                    closedWithout.complete(describe(t, failureResponse));
                }

                @Override
                public void onClose(int code, String reason) {
                    closedWithout.complete("the exec stream closed (" + code + (reason == null || reason.isBlank() ? "" : " " + reason) + ")");
                }
            }).exec(argv.toArray(String[]::new));
            Integer code;
            try {
                code = w.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return result(Result.Kind.TIMEOUT, null, out, err, "no exit within " + timeout.toSeconds() + " s: the exec was closed", t0);
            } catch (ExecutionException e) {
                return result(Result.Kind.FAILED, null, out, err, describe(e.getCause(), null), t0);
            }
            if (code == null || code < 0) {
                return result(Result.Kind.UNKNOWN, null, out, err, closedWithout.getNow("the exec stream ended without an exit status"), t0);
            }
            return result(Result.Kind.EXITED, code, out, err, null, t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(Result.Kind.INTERRUPTED, null, out, err, "interrupted while running", t0);
        } catch (RuntimeException e) {
            return result(Result.Kind.FAILED, null, out, err, describe(e, null), t0);
        } finally {
            if (w != null) {
                try {
                    w.close();
                } catch (RuntimeException ignored) {
                    // closing a stream that already ended
                }
            }
        }
    }

    private static Result result(Result.Kind kind, Integer code, CappedOutput out, CappedOutput err, String reason, long t0) {
        return new Result(kind, code, out.text(), err.text(), out.truncated() || err.truncated(), reason,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** An open TTY exec. */
    public interface Tty {
        void input(byte[] data) throws IOException;

        void resize(int cols, int rows);

        void close();
    }

    /**
     * Starts {@code argv} with a TTY of {@code cols}×{@code rows}; output (stdout and stderr, merged by the TTY) goes to
     * {@code output} on fabric8's thread; {@code ended} gets the exit code (null: unknown) and a failure text (null: none)
     * exactly once. Throws when the exec cannot start.
     */
    public Tty tty(String cluster, String namespace, String pod, String container, List<String> argv, int cols, int rows,
                   Consumer<byte[]> output, BiConsumer<Integer, String> ended) {
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                output.accept(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        CompletableFuture<Boolean> once = new CompletableFuture<>();
        BiConsumer<Integer, String> end = (code, failure) -> {
            if (once.complete(true)) {
                ended.accept(code, failure);
            }
        };
        ExecWatch w = registry.require(cluster).client().pods().inNamespace(namespace).withName(pod).inContainer(container)
                .redirectingInput().writingOutput(out).withTTY().usingListener(new ExecListener() {
                    @Override
                    public void onFailure(Throwable t, Response r) {
                        end.accept(null, describe(t, r));
                    }

                    @Override
                    public void onClose(int code, String reason) {
                        // the exit code future decides how it ended
                    }
                }).exec(argv.toArray(String[]::new));
        w.resize(cols, rows);
        w.exitCode().whenComplete((code, err) -> end.accept(err != null || code == null || code < 0 ? null : code,
                err == null ? null : describe(err, null)));
        return new Tty() {
            @Override
            public void input(byte[] data) throws IOException {
                w.getInput().write(data);
                w.getInput().flush();
            }

            @Override
            public void resize(int c, int r) {
                w.resize(c, r);
            }

            @Override
            public void close() {
                try {
                    w.close();
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
        };
    }

    /** The Kubernetes reason when there is one (e.g. "NotFound: pods "x" not found", "BadRequest: container y is not valid"). */
    public static String describe(Throwable t, ExecListener.Response response) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getStatus() != null) {
                Status s = k.getStatus();
                String reason = s.getReason() == null || s.getReason().isBlank() ? "HTTP " + k.getCode() : s.getReason();
                return reason + ": " + (s.getMessage() == null ? k.getMessage() : s.getMessage());
            }
        }
        if (response != null) {
            try {
                return "HTTP " + response.code() + ": " + response.body();
            } catch (IOException | RuntimeException e) {
                return "HTTP " + response.code();
            }
        }
        return t == null ? "unknown failure" : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** {@link #describe(Throwable, ExecListener.Response)} without a response. */
    public static String describe(Throwable t) {
        return describe(t, null);
    }
}
