package io.noah.api.nodes;

import io.noah.api.audit.AuditService;
import io.noah.api.config.NoahProperties;
import io.noah.cluster.health.Loops;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.NodeLabelSync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Node labels from the CMDB: pulled from {@code noah.nodes.cmdb.url} every interval (when set) or on demand, or pushed
 * by a CMDB through the API. One sync at a time per instance; the last report is kept for {@code GET}. A pull that
 * fails (the CMDB down, bad data) changes nothing and shows in health ({@code loops}: {@code node-labels}).
 */
public final class NodeLabelsService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLabelsService.class);
    public static final String ACTOR = "noah:cmdb";
    static final int MAX_BYTES = 10 * 1024 * 1024;

    private final NodeLabelSync sync;
    private final NoahProperties.Cmdb cfg;
    private final AuditService audit;
    private final URI url;
    private final HttpClient http;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile NodeLabelSync.Report last;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("noah-node-labels").daemon().factory());

    public NodeLabelsService(NodeLabelSync sync, NoahProperties.Cmdb cfg, AuditService audit, Loops loops) {
        this.sync = sync;
        this.cfg = cfg;
        this.audit = audit;
        this.url = cfg.url() == null || cfg.url().isBlank() ? null : checked(cfg.url());
        this.http = HttpClient.newBuilder().connectTimeout(cfg.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        if (url != null) {
            long ms = cfg.interval().toMillis();
            // the first pull once the registered clusters have had time to list their nodes
            timer.scheduleWithFixedDelay(loops.guard("node-labels", () -> pull(false, ACTOR, "scheduled CMDB sync")),
                    Math.min(ms, 10_000), ms, TimeUnit.MILLISECONDS);
        }
    }

    /** http or https with a host, nothing else (no file:, no jar:): checked at start. */
    static URI checked(String text) {
        URI u;
        try {
            u = URI.create(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("noah.nodes.cmdb.url is not a URL: " + e.getMessage(), e);
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getUserInfo() != null) {
            throw new IllegalArgumentException("noah.nodes.cmdb.url must be http(s)://host[:port]/path without credentials in it"
                    + " (use noah.nodes.cmdb.token or username/password)");
        }
        return u;
    }

    public boolean configured() {
        return url != null;
    }

    public Optional<NodeLabelSync.Report> last() {
        return Optional.ofNullable(last);
    }

    /** Reads the CMDB now and syncs (or only reports, on a dry run). */
    public NodeLabelSync.Report pull(boolean dryRun, String actor, String reason) {
        if (url == null) {
            throw new NoahException(NoahException.Reason.CONFLICT, "no CMDB is configured (noah.nodes.cmdb.url): push the labels instead");
        }
        var fetched = fetch();
        return run("pull " + url, CmdbFormat.parse(fetched.body(), fetched.contentType()), dryRun, actor, reason);
    }

    public NodeLabelSync.Report push(List<NodeLabelSync.Entry> entries, boolean dryRun, String actor, String reason) {
        return run("push by " + actor, entries, dryRun, actor, reason);
    }

    private NodeLabelSync.Report run(String source, List<NodeLabelSync.Entry> entries, boolean dryRun, String actor, String reason) {
        lock.lock();
        try {
            NodeLabelSync.Report r = sync.sync(source, entries, dryRun);
            last = r;
            if (!dryRun && ACTOR.equals(actor) && r.changedNodes() > 0) {
                // the API's own calls are audited by the filter; the scheduled pull is audited here
                audit.record(ACTOR, "POST /api/v1/node-labels/pull", "POST", "/api/v1/node-labels/pull", 200,
                        reason + ": " + r.changedNodes() + " nodes changed, " + r.errors() + " errors");
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    record Fetched(String body, String contentType) {
    }

    private Fetched fetch() {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(cfg.timeout()).GET()
                .header("Accept", "application/json, text/csv;q=0.9");
        if (cfg.token() != null && !cfg.token().isBlank()) {
            b.header("Authorization", "Bearer " + cfg.token());
        } else if (cfg.username() != null && !cfg.username().isBlank()) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (cfg.username() + ":" + (cfg.password() == null ? "" : cfg.password())).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<InputStream> res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = res.body()) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                if (res.statusCode() != 200) {
                    throw new NoahException(NoahException.Reason.CMDB_UNAVAILABLE, "the CMDB answered HTTP " + res.statusCode());
                }
                if (bytes.length > MAX_BYTES) {
                    throw new NoahException(NoahException.Reason.CMDB_UNAVAILABLE, "the CMDB's answer is over " + MAX_BYTES + " bytes");
                }
                return new Fetched(new String(bytes, StandardCharsets.UTF_8), res.headers().firstValue("Content-Type").orElse(null));
            }
        } catch (IOException e) {
            throw new NoahException(NoahException.Reason.CMDB_UNAVAILABLE, "the CMDB did not answer: " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoahException(NoahException.Reason.CMDB_UNAVAILABLE, "interrupted while reading the CMDB", null, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
