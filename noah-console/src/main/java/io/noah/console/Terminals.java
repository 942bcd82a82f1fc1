package io.noah.console;

import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.PodExecs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Web terminals: a session is created by an authenticated call that returns a one-time ticket (valid
 * {@code ticketTtl}, stored hashed, redeemable on any instance); the websocket redeems it and Noah bridges it to the
 * exec subresource with a TTY (stdin, resize). The shell is bash when the image has it, else sh, chosen inside one exec.
 * Keep-alive pings; a session ends on exit, idle timeout, maximum duration, a client that stops answering pings, or an
 * admin's request (seen by the instance bridging it within a second). Each end is reported once to {@code onEnd}.
 */
public final class Terminals implements AutoCloseable {

    public static final String LOOP = "terminals";

    public record Settings(Duration ticketTtl, Duration idleTimeout, Duration maxDuration, Duration pingEvery, Duration pongTimeout,
                           int perUserCap, int recordingCap) {
    }

    /** The browser's side of a bridge (a websocket): output bytes, status events as JSON text, pings, close. */
    public interface Peer {
        void output(byte[] data) throws IOException;

        void event(String json) throws IOException;

        void ping() throws IOException;

        void close(String why);
    }

    public record Created(TerminalSession session, String ticket, Instant ticketExpires) {
    }

    private final PodExecs execs;
    private final TerminalStore store;
    private final PodExec gauge;
    private final Clock clock;
    private final String instance;
    private final Settings settings;
    private final java.util.function.Consumer<TerminalSession> onEnd;
    private final Map<String, Bridge> bridges = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("terminals").daemon()
            .factory());
    private long ticks;

    public Terminals(TerminalStore store, PodExec gauge, Clock clock, String instance, Settings settings, Loops loops,
                     java.util.function.Consumer<TerminalSession> onEnd) {
        this.execs = gauge.execs();
        this.store = store;
        this.gauge = gauge;
        this.clock = clock;
        this.instance = instance;
        this.settings = settings;
        this.onEnd = onEnd;
        ticker.execute(loops.guard(LOOP, () -> store.closeOf(instance, clock.instant())));
        ticker.scheduleWithFixedDelay(loops.guard(LOOP, this::tick), 500, 500, TimeUnit.MILLISECONDS);
    }

    /** Bridges open on this instance. */
    public int bridged() {
        return bridges.size();
    }

    public Settings settings() {
        return settings;
    }

    /** A new session and its ticket; 404 for an unknown pod or container, 429 beyond the per-user cap. */
    public Created create(String actor, String reason, String cluster, String namespace, String pod, String container, String osUser,
                          boolean record) {
        PodExecs.PodInfo live = execs.pod(cluster, namespace, pod);
        if (live == null) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "no pod " + namespace + "/" + pod + " in cluster " + cluster);
        }
        List<String> containers = live.containers();
        String c = container == null ? containers.getFirst() : container;
        if (!containers.contains(c)) {
            throw new NoahException(NoahException.Reason.NOT_FOUND, "pod " + namespace + "/" + pod + " has no container " + c + " (it has "
                    + containers + ")");
        }
        if (!"Running".equals(live.phase())) {
            throw new NoahException(NoahException.Reason.CONFLICT, "pod " + namespace + "/" + pod + " is not running");
        }
        Instant now = clock.instant();
        if (store.openCount(actor, now, now.minus(staleAfter())) >= settings.perUserCap()) {
            throw new NoahException(NoahException.Reason.TOO_MANY, actor + " has " + settings.perUserCap()
                    + " terminal sessions open already (noah.console.terminals.per-user-cap)");
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        TerminalSession s = new TerminalSession(UUID.randomUUID().toString(), actor, reason, cluster, namespace, pod, c, osUser, record, now,
                null, null, null, null, 0, 0, null);
        Instant expires = now.plus(settings.ticketTtl());
        store.insert(s, hash(ticket), expires);
        return new Created(s, ticket, expires);
    }

    /** Redeems the ticket and starts the bridge; empty when the ticket is wrong, used or expired. */
    public java.util.Optional<Bridge> attach(String id, String ticket, Peer peer, int cols, int rows) {
        if (ticket == null || ticket.length() > 100) {
            return java.util.Optional.empty();
        }
        var s = store.redeem(id, hash(ticket), clock.instant(), instance);
        if (s.isEmpty()) {
            return java.util.Optional.empty();
        }
        Bridge b = new Bridge(s.get(), peer);
        bridges.put(b.session.id(), b);
        b.start(cols, rows);
        return java.util.Optional.of(b);
    }

    /** Asks whichever instance bridges the session to end it; false when it is not open. */
    public boolean end(String id) {
        Bridge b = bridges.get(id);
        if (b != null) {
            b.end("ended-by-admin", null);
            return true;
        }
        if (store.endUnstarted(id, clock.instant(), "ended-by-admin")) {
            return true;
        }
        return store.requestEnd(id);
    }

    private Duration staleAfter() {
        return Duration.ofSeconds(30);
    }

    private void tick() {
        Instant now = clock.instant();
        for (Bridge b : bridges.values()) {
            b.check(now);
        }
        if (ticks++ % 2 == 0 && !bridges.isEmpty()) {
            Set<String> ids = Set.copyOf(bridges.keySet());
            for (String id : store.endRequested(ids)) {
                Bridge b = bridges.get(id);
                if (b != null) {
                    b.end("ended-by-admin", null);
                }
            }
            if (ticks % 20 == 1) {
                store.heartbeat(ids, now);
            }
        }
        if (ticks % 60 == 0) {
            store.closeAbandoned(now, now.minus(staleAfter()));
        }
    }

    static String hash(String ticket) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ticket.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        bridges.values().forEach(b -> b.end("noah-stopped", null));
    }

    /** One websocket bridged to one exec. */
    public final class Bridge {
        private final TerminalSession session;
        private final Peer peer;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicLong bytesIn = new AtomicLong();
        private final AtomicLong bytesOut = new AtomicLong();
        private final Instant started;
        private volatile Instant lastActivity;
        private volatile Instant lastPong;
        private volatile Instant lastPing;
        private volatile PodExecs.Tty watch;
        private final StringBuilder cast;
        private final long t0 = System.nanoTime();

        private Bridge(TerminalSession session, Peer peer) {
            this.session = session;
            this.peer = peer;
            this.started = clock.instant();
            this.lastActivity = started;
            this.lastPong = started;
            this.lastPing = started;
            this.cast = session.recorded() ? new StringBuilder() : null;
        }

        public TerminalSession session() {
            return session;
        }

        private void start(int cols, int rows) {
            if (cast != null) {
                cast.append("{\"version\":2,\"width\":").append(cols).append(",\"height\":").append(rows).append(",\"timestamp\":")
                        .append(started.getEpochSecond()).append(",\"env\":{\"TERM\":\"xterm-256color\"}}\n");
            }
            gauge.opened();
            try {
                watch = execs.tty(session.cluster(), session.namespace(), session.pod(), session.container(),
                        OsUser.shell(session.osUser()), cols, rows, chunk -> {
                            bytesOut.addAndGet(chunk.length);
                            lastActivity = clock.instant();
                            record("o", chunk);
                            try {
                                peer.output(chunk);
                            } catch (IOException | RuntimeException e) {
                                end("client-gone", null);
                            }
                        }, (code, failure) -> {
                            if (failure != null) {
                                end("error", failure);
                            } else {
                                end("exit", code == null ? "unknown" : Integer.toString(code));
                            }
                        });
                if (ended.get()) {
                    watch.close();
                }
            } catch (RuntimeException e) {
                end("error", PodExecs.describe(e));
            }
        }

        private void record(String kind, byte[] data) {
            if (cast == null) {
                return;
            }
            synchronized (cast) {
                if (cast.length() < settings.recordingCap()) {
                    double t = (System.nanoTime() - t0) / 1e9;
                    cast.append('[').append(String.format(java.util.Locale.ROOT, "%.6f", t)).append(",\"").append(kind).append("\",")
                            .append(jsonString(new String(data, StandardCharsets.UTF_8))).append("]\n");
                }
            }
        }

        /** Keystrokes (or pasted text) from the browser. */
        public void input(byte[] data) {
            PodExecs.Tty w = watch;
            if (w == null || ended.get()) {
                return;
            }
            bytesIn.addAndGet(data.length);
            lastActivity = clock.instant();
            try {
                w.input(data);
            } catch (IOException | RuntimeException e) {
                end("error", "stdin: " + e.getMessage());
            }
        }

        public void resize(int cols, int rows) {
            PodExecs.Tty w = watch;
            if (w != null && cols > 0 && rows > 0 && cols <= 1000 && rows <= 1000) {
                w.resize(cols, rows);
                if (cast != null) {
                    record("r", (cols + "x" + rows).getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        public void pong() {
            lastPong = clock.instant();
        }

        /** The browser's side closed (or failed): the exec is closed at once. */
        public void peerClosed() {
            end("client-gone", null);
        }

        private void check(Instant now) {
            if (Duration.between(started, now).compareTo(settings.maxDuration()) > 0) {
                end("max-duration", null);
            } else if (Duration.between(lastActivity, now).compareTo(settings.idleTimeout()) > 0) {
                end("idle-timeout", null);
            } else if (Duration.between(lastPong, now).compareTo(settings.pongTimeout()) > 0) {
                end("client-gone", null);
            } else if (Duration.between(lastPing, now).compareTo(settings.pingEvery()) >= 0) {
                lastPing = now;
                try {
                    peer.ping();
                } catch (IOException | RuntimeException e) {
                    end("client-gone", null);
                }
            }
        }

        /** Ends once: closes the exec, tells the browser how it ended (when it still listens), stores and reports the end. */
        void end(String how, String exitOrDetail) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            bridges.remove(session.id());
            String exit = "exit".equals(how) ? exitOrDetail : "unknown";
            PodExecs.Tty w = watch;
            if (w != null) {
                w.close();
            }
            gauge.closed();
            try {
                peer.event("{\"type\":\"end\",\"endedBy\":\"" + how + "\",\"exit\":" + jsonString(exit)
                        + (exitOrDetail != null && !"exit".equals(how) ? ",\"detail\":" + jsonString(exitOrDetail) : "") + "}");
            } catch (IOException | RuntimeException ignored) {
                // the browser is gone
            }
            peer.close(how);
            Instant at = clock.instant();
            String recording;
            if (cast == null) {
                recording = null;
            } else {
                synchronized (cast) {
                    recording = cast.toString();
                }
            }
            try {
                store.ended(session.id(), at, exit, how, bytesIn.get(), bytesOut.get(), recording);
            } finally {
                onEnd.accept(new TerminalSession(session.id(), session.actor(), session.reason(), session.cluster(), session.namespace(),
                        session.pod(), session.container(), session.osUser(), session.recorded(), session.createdAt(), started, at, exit, how,
                        bytesIn.get(), bytesOut.get(), instance));
            }
        }
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
