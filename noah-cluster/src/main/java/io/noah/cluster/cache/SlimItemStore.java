package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer item store that keeps slim records instead of fabric8 objects. The informer asks it
 * for objects only to compute keys and resource versions (relist, update notifications): it gets
 * small stubs carrying just the metadata.
 *
 * <p>Records are kept sorted by key, which gives queries a stable order and cheap paging.
 * {@code onChange} is called after every put or remove with the old and new record (either may be
 * null); it runs on the informer's thread and must not block.
 */
public final class SlimItemStore<T extends HasMetadata, R> implements ItemStore<T> {

    /** A record's identity as the informer sees it. */
    public interface Meta<R> {
        String namespace(R r);

        String name(R r);

        String resourceVersion(R r);
    }

    private final ConcurrentSkipListMap<String, R> records = new ConcurrentSkipListMap<>();
    private final Function<T, R> slim;
    private final Supplier<T> stubFactory;
    private final Meta<R> meta;
    private final ChangeListener<R> onChange;

    /** Told of every change: {@code old} null for an add, {@code now} null for a delete. */
    @FunctionalInterface
    public interface ChangeListener<R> {
        void changed(R old, R now);
    }

    public SlimItemStore(Function<T, R> slim, Supplier<T> stubFactory, Meta<R> meta, ChangeListener<R> onChange) {
        this.slim = slim;
        this.stubFactory = stubFactory;
        this.meta = meta;
        this.onChange = onChange;
    }

    @Override
    public String getKey(T obj) {
        return Slimming.key(obj);
    }

    @Override
    public T put(String key, T obj) {
        R next = slim.apply(obj);
        R old = records.put(key, next);
        onChange.changed(old, next);
        return old == null ? null : stub(old);
    }

    @Override
    public T remove(String key) {
        R old = records.remove(key);
        if (old == null) {
            return null;
        }
        onChange.changed(old, null);
        return stub(old);
    }

    @Override
    public Stream<String> keySet() {
        return records.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return records.values().stream().map(this::stub);
    }

    @Override
    public int size() {
        return records.size();
    }

    @Override
    public T get(String key) {
        R r = records.get(key);
        return r == null ? null : stub(r);
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    /**
     * The store as one namespace's informer must see it: puts and removes go to this store, but listing (keys,
     * values, size) covers only that namespace's records. An informer's relist removes every record it lists
     * no more; with one store shared by several per-namespace informers, each relist would otherwise delete
     * the other namespaces' records.
     */
    public ItemStore<T> scoped(String namespace) {
        String from = namespace + "/";
        String to = namespace + "/\uffff";
        return new ItemStore<>() {
            @Override
            public String getKey(T obj) {
                return SlimItemStore.this.getKey(obj);
            }

            @Override
            public T put(String key, T obj) {
                return SlimItemStore.this.put(key, obj);
            }

            @Override
            public T remove(String key) {
                return SlimItemStore.this.remove(key);
            }

            @Override
            public Stream<String> keySet() {
                return records.subMap(from, true, to, true).keySet().stream();
            }

            @Override
            public Stream<T> values() {
                return records.subMap(from, true, to, true).values().stream().map(SlimItemStore.this::stub);
            }

            @Override
            public int size() {
                return records.subMap(from, true, to, true).size();
            }

            @Override
            public T get(String key) {
                return SlimItemStore.this.get(key);
            }

            @Override
            public boolean isFullState() {
                return false;
            }
        };
    }

    /** The records, sorted by key ("namespace/name", or "name"). */
    public ConcurrentSkipListMap<String, R> records() {
        return records;
    }

    public R record(String key) {
        return records.get(key);
    }

    private T stub(R r) {
        T t = stubFactory.get();
        t.setMetadata(new ObjectMetaBuilder().withNamespace(meta.namespace(r)).withName(meta.name(r))
                .withResourceVersion(meta.resourceVersion(r)).build());
        return t;
    }
}
