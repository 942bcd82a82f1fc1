package io.noah.cluster.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.cache.PodRecord;
import io.noah.cluster.cache.Slimming;
import io.noah.cluster.registry.ClusterHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One kind of one cluster as a resumable stream of changes, for consumers that must not lose any
 * (the event publisher). Unlike the read caches' informers it can start watching <em>from a given
 * resourceVersion</em> (the last one a previous leader published), so changes made while no one was
 * watching are replayed from the API server's watch history. When that history no longer reaches
 * back (410 Gone) it lists instead and hands the consumer a full snapshot to diff against.
 *
 * <p>Back-pressure: when the sink refuses an event (its buffer is full) the watch is closed and
 * {@link #resume()} later reopens it from the last accepted resourceVersion, so nothing is dropped
 * and memory stays bounded.
 */
public final class ChangeFeed<T extends HasMetadata, R> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    /** What a watch event did to an object. */
    public enum Type { ADDED, MODIFIED, DELETED }

    /** Receives one kind's changes in resourceVersion order. Called from the feed's threads. */
    public interface Sink<R> {
        /** Everything that exists at {@code listRv} (first start without a position, or after a 410). May block. */
        void snapshot(List<R> items, String listRv, String reason);

        /** One change; false when the sink is full (the feed then suspends itself). Must not block. */
        boolean event(Type type, R item, String resourceVersion, long receivedNanos);

        /** The API server's progress marker: nothing of this kind changed up to {@code rv}. */
        boolean bookmark(String resourceVersion);
    }

    private interface Source<T extends HasMetadata> {
        KubernetesResourceList<T> list(KubernetesClient c, ListOptions o);

        Watch watch(KubernetesClient c, ListOptions o, Watcher<T> w);
    }

    private final String what;
    private final KubernetesClient client;
    private final Source<T> source;
    private final Function<T, R> slim;
    private final Sink<R> sink;
    private final ScheduledExecutorService worker;
    private volatile boolean closed;
    private volatile boolean suspended;
    private volatile String lastRv;
    private volatile Watch watch;
    private volatile int generation;
    private volatile int lastListPages;
    private final Backoff backoff = new Backoff(1000, 30_000);
    /** Objects per LIST page when (re)listing. */
    static final int DEFAULT_PAGE_SIZE = 500;
    private final int pageSize;

    private ChangeFeed(String what, KubernetesClient client, Source<T> source, Function<T, R> slim, Sink<R> sink) {
        this(what, client, source, slim, sink, DEFAULT_PAGE_SIZE);
    }

    private ChangeFeed(String what, KubernetesClient client, Source<T> source, Function<T, R> slim, Sink<R> sink, int pageSize) {
        this.pageSize = pageSize;
        this.what = what;
        this.client = client;
        this.source = source;
        this.slim = slim;
        this.sink = sink;
        this.worker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("noah-feed-" + what).daemon().factory());
    }

    public static ChangeFeed<Pod, PodRecord> pods(ClusterHandle h, String appLabel, Sink<PodRecord> sink) {
        return pods(h, appLabel, sink, DEFAULT_PAGE_SIZE);
    }

    /** With a LIST page size of its own (tests). */
    public static ChangeFeed<Pod, PodRecord> pods(ClusterHandle h, String appLabel, Sink<PodRecord> sink, int pageSize) {
        String cluster = h.name();
        return new ChangeFeed<>(cluster + "-pods", h.client(), new Source<>() {
            public KubernetesResourceList<Pod> list(KubernetesClient c, ListOptions o) { return c.pods().inAnyNamespace().list(o); }
            public Watch watch(KubernetesClient c, ListOptions o, Watcher<Pod> w) { return c.pods().inAnyNamespace().watch(o, w); }
        }, p -> Slimming.pod(cluster, appLabel, p), sink, pageSize);
    }

    public static ChangeFeed<Deployment, DeploymentRecord> deployments(ClusterHandle h, String appLabel, Sink<DeploymentRecord> sink) {
        String cluster = h.name();
        return new ChangeFeed<>(cluster + "-deployments", h.client(), new Source<>() {
            public KubernetesResourceList<Deployment> list(KubernetesClient c, ListOptions o) {
                return c.apps().deployments().inAnyNamespace().list(o);
            }
            public Watch watch(KubernetesClient c, ListOptions o, Watcher<Deployment> w) {
                return c.apps().deployments().inAnyNamespace().watch(o, w);
            }
        }, d -> Slimming.deployment(cluster, appLabel, d), sink);
    }

    public static ChangeFeed<Node, NodeRecord> nodes(ClusterHandle h, Sink<NodeRecord> sink) {
        String cluster = h.name();
        return new ChangeFeed<>(cluster + "-nodes", h.client(), new Source<>() {
            public KubernetesResourceList<Node> list(KubernetesClient c, ListOptions o) { return c.nodes().list(o); }
            public Watch watch(KubernetesClient c, ListOptions o, Watcher<Node> w) { return c.nodes().watch(o, w); }
        }, n -> Slimming.node(cluster, n), sink);
    }

    /** Starts watching after {@code fromRv}; without one (or when it is too old) lists first. */
    public void start(String fromRv) {
        submit(() -> {
            if (fromRv == null || fromRv.isBlank()) {
                relist("initial list");
            } else {
                openWatch(fromRv);
            }
        }, 0);
    }

    /** How many LIST pages the last (re)list took. */
    public int lastListPages() {
        return lastListPages;
    }

    /** Reopens a watch suspended by back-pressure, from the last accepted resourceVersion. */
    public void resume() {
        if (suspended && !closed) {
            suspended = false;
            log.info("{}: buffer has room again, watching again from resourceVersion {}", what, lastRv);
            submit(() -> openWatch(lastRv), 0);
        }
    }

    /**
     * Lists in pages of {@link #pageSize} (one consistent snapshot: every page is served at the first page's
     * resourceVersion), so a large cluster is never one huge response held at once by the API server and Noah.
     * A failure (including an expired continue token) starts the list over after a growing pause.
     */
    private void relist(String reason) {
        if (closed) {
            return;
        }
        List<R> items = new ArrayList<>();
        String rv = null;
        String next = null;
        int pages = 0;
        try {
            do {
                ListOptionsBuilder o = new ListOptionsBuilder().withLimit((long) pageSize);
                if (next != null) {
                    o.withContinue(next);
                }
                KubernetesResourceList<T> page = source.list(client, o.build());
                pages++;
                for (T t : page.getItems()) {
                    items.add(slim.apply(t));
                }
                if (rv == null) {
                    rv = page.getMetadata().getResourceVersion();
                }
                next = page.getMetadata().getContinue();
            } while (next != null && !next.isBlank() && !closed);
        } catch (RuntimeException e) {
            long pause = backoff.next();
            log.warn("{}: list failed after {} pages ({}), retrying in {} ms", what, pages, e.toString(), pause);
            submit(() -> relist(reason), pause);
            return;
        }
        lastListPages = pages;
        if (!closed) {
            sink.snapshot(items, rv, reason);
            lastRv = rv;
            openWatch(rv);
        }
    }

    private void openWatch(String fromRv) {
        if (closed || suspended) {
            return;
        }
        int gen = ++generation;
        lastRv = fromRv;
        ListOptions o = new ListOptionsBuilder().withResourceVersion(fromRv).withAllowWatchBookmarks(true).build();
        try {
            watch = source.watch(client, o, new FeedWatcher(gen));
            backoff.reset();
        } catch (RuntimeException e) {
            long pause = backoff.next();
            log.warn("{}: watch from {} failed ({}), retrying in {} ms", what, fromRv, e.toString(), pause);
            submit(() -> openWatch(lastRv), pause);
        }
    }

    private final class FeedWatcher implements Watcher<T> {
        private final int gen;

        FeedWatcher(int gen) {
            this.gen = gen;
        }

        private boolean current() {
            return gen == generation && !closed && !suspended;
        }

        @Override
        public void eventReceived(Action action, T resource) {
            if (!current()) {
                return;
            }
            String rv = resource.getMetadata() == null ? null : resource.getMetadata().getResourceVersion();
            boolean accepted = switch (action) {
                case BOOKMARK -> rv == null || sink.bookmark(rv);
                case ADDED -> sink.event(Type.ADDED, slim.apply(resource), rv, System.nanoTime());
                case MODIFIED -> sink.event(Type.MODIFIED, slim.apply(resource), rv, System.nanoTime());
                case DELETED -> sink.event(Type.DELETED, slim.apply(resource), rv, System.nanoTime());
                case ERROR -> true;
            };
            if (accepted) {
                if (rv != null) {
                    lastRv = rv;
                }
            } else {
                suspended = true;
                log.warn("{}: sink is full, watch suspended at resourceVersion {}", what, lastRv);
                Watch w = watch;
                if (w != null) {
                    submit(w::close, 0);
                }
            }
        }

        @Override
        public boolean reconnecting() {
            return true; // fabric8 reconnects from the last resourceVersion it saw, without a limit
        }

        @Override
        public void onClose(WatcherException cause) {
            if (gen != generation || closed || suspended) {
                return;
            }
            if (cause.isHttpGone()) {
                log.info("{}: resourceVersion {} has expired (410 Gone): listing and diffing", what, lastRv);
                submit(() -> relist("watch expired (410 Gone) after resourceVersion " + lastRv), 0);
            } else {
                long pause = backoff.next();
                log.warn("{}: watch closed ({}), reopening from {} in {} ms", what, cause.getMessage(), lastRv, pause);
                submit(() -> openWatch(lastRv), pause);
            }
        }
    }

    private void submit(Runnable r, long delayMs) {
        try {
            worker.schedule(() -> {
                try {
                    r.run();
                } catch (Throwable e) { // NOPMD: the feed's thread must outlive any error; it retries after a pause
                    long pause = backoff.next();
                    log.error("{}: failed, retrying from resourceVersion {} in {} ms", what, lastRv, pause, e);
                    if (lastRv == null) {
                        submit(() -> relist("retry after an error"), pause);
                    } else {
                        submit(() -> openWatch(lastRv), pause);
                    }
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void close() {
        closed = true;
        Watch w = watch;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing the watch: {}", what, e.toString());
            }
        }
        worker.shutdownNow();
    }
}
