package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.noah.cluster.registry.ClusterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
        Pod p;
        try {
            p = registry.require(cluster).client().pods().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
        return p == null ? null : new PodInfo(p.getSpec().getContainers().stream().map(c -> c.getName()).toList(),
                p.getStatus() == null ? null : p.getStatus().getPhase());
    }

    /**
     * One command, no TTY, no stdin: the exec subresource over one websocket ({@code v4.channel.k8s.io}) on the
     * cluster's own HTTP client, its channels read here — fabric8's exec would first start an informer on the pod
     * (waiting for it to be Ready, even with a zero timeout: a LIST and a WATCH per exec), which doubled the API
     * requests of a batch.
     */
    public Result run(String cluster, String namespace, String pod, String container, List<String> argv, Duration timeout, int outputCap) {
        KubernetesClient client;
        try {
            client = registry.require(cluster).client();
        } catch (RuntimeException e) {
            return new Result(Result.Kind.FAILED, null, "", "", false, describe(e), 0);
        }
        return run(client, namespace, pod, container, argv, timeout, outputCap);
    }

    /** {@link #run(String, String, String, String, List, Duration, int)} on a client at hand (benchmarks). */
    public static Result run(KubernetesClient client, String namespace, String pod, String container, List<String> argv, Duration timeout,
                             int outputCap) {
        long t0 = System.nanoTime();
        CappedOutput out = new CappedOutput(outputCap);
        CappedOutput err = new CappedOutput(outputCap);
        CompletableFuture<Result> done = new CompletableFuture<>();
        WebSocket ws = null;
        CompletableFuture<WebSocket> open = null;
        AtomicBoolean peerClosed = new AtomicBoolean(); // a close after the peer's would only meet a closed TLS engine
        try {
            StringBuilder q = new StringBuilder("stdout=true&stderr=true");
            if (container != null) {
                q.append("&container=").append(enc(container));
            }
            argv.forEach(a -> q.append("&command=").append(enc(a)));
            String base = client.getMasterUrl().toString();
            URI uri = URI.create((base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + enc(namespace) + "/pods/" + enc(pod)
                    + "/exec?" + q);
            var serialization = client.getKubernetesSerialization();
            // no connectTimeout on the builder: the wait below bounds the opening (fabric8's own timer would cost a
            // scheduled task and two exceptions per exec when cancelled), and a late opening is closed at once
            open = client.getHttpClient().newWebSocketBuilder().subprotocol("v4.channel.k8s.io").uri(uri)
                    .buildAsync(new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket w) {
                            w.request();
                        }

                        @Override
                        public void onMessage(WebSocket w, ByteBuffer bytes) {
                            if (bytes.hasRemaining()) {
                                int channel = bytes.get();
                                byte[] data = new byte[bytes.remaining()];
                                bytes.get(data);
                                switch (channel) {
                                    case 1 -> out.write(data, 0, data.length);
                                    case 2 -> err.write(data, 0, data.length);
                                    case 3 -> {
                                        String json = new String(data, StandardCharsets.UTF_8);
                                        done.complete(SUCCESS.contains(json) ? result(Result.Kind.EXITED, 0, out, err, null, t0)
                                                : status(serialization.unmarshal(json, Status.class), out, err, t0));
                                    }
                                    default -> {
                                    }
                                }
                            }
                            w.request();
                        }

                        @Override
                        public void onClose(WebSocket w, int code, String reason) {
                            peerClosed.set(true);
                            done.complete(result(Result.Kind.UNKNOWN, null, out, err, "the exec stream closed (" + code
                                    + (reason == null || reason.isBlank() ? "" : " " + reason) + ") without an exit status", t0));
                        }

                        @Override
                        public void onError(WebSocket w, Throwable t) {
                            done.complete(result(Result.Kind.FAILED, null, out, err, describe(t), t0));
                        }
                    });
            try {
                ws = open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return result(Result.Kind.FAILED, null, out, err, handshake(e.getCause()), t0);
            }
            long left = timeout.toNanos() - (System.nanoTime() - t0);
            try {
                return done.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return result(Result.Kind.TIMEOUT, null, out, err, "no exit within " + timeout.toSeconds() + " s: the exec was closed", t0);
            }
        } catch (TimeoutException e) {
            return result(Result.Kind.TIMEOUT, null, out, err, "the exec did not open within " + timeout.toSeconds() + " s", t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(Result.Kind.INTERRUPTED, null, out, err, "interrupted while running", t0);
        } catch (ExecutionException | RuntimeException e) {
            return result(Result.Kind.FAILED, null, out, err, describe(e), t0);
        } finally {
            if (ws != null) {
                if (!peerClosed.get()) {
                    ws.sendClose(1000, null);
                }
            } else if (open != null) {
                // not open yet (timed out or interrupted while opening): closed as soon as it opens
                open.thenAccept(w -> w.sendClose(1000, null));
            }
        }
    }

    /**
     * The exit status of a command that succeeded, as API servers send it (1.36: the first; older ones the second);
     * anything else goes through Jackson.
     */
    private static final java.util.Set<String> SUCCESS = java.util.Set.of("{\"status\":\"Success\"}", "{\"metadata\":{},\"status\":\"Success\"}");

    /** The exit status Kubernetes sends on the error channel: Success, NonZeroExitCode with the code, or a failure. */
    private static Result status(Status s, CappedOutput out, CappedOutput err, long t0) {
        if ("Success".equals(s.getStatus())) {
            return result(Result.Kind.EXITED, 0, out, err, null, t0);
        }
        if ("NonZeroExitCode".equals(s.getReason()) && s.getDetails() != null && s.getDetails().getCauses() != null) {
            for (var c : s.getDetails().getCauses()) {
                if ("ExitCode".equals(c.getReason())) {
                    try {
                        return result(Result.Kind.EXITED, Integer.parseInt(c.getMessage().trim()), out, err, null, t0);
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        return result(Result.Kind.FAILED, null, out, err, (s.getReason() == null ? "Failure" : s.getReason()) + ": " + s.getMessage(), t0);
    }

    /** A refused upgrade: its HTTP status, which for exec means the pod, the container or the permission. */
    private static String handshake(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof WebSocketHandshakeException h && h.getResponse() != null) {
                int code = h.getResponse().code();
                return switch (code) {
                    case 400 -> "BadRequest (HTTP 400): Kubernetes refused the exec (a container not in the pod, or the pod not running)";
                    case 403 -> "Forbidden (HTTP 403): Noah's credentials may not exec in this pod";
                    case 404 -> "NotFound (HTTP 404): the pod is gone";
                    default -> "HTTP " + code + ": the exec was refused";
                };
            }
        }
        return describe(t);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
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
