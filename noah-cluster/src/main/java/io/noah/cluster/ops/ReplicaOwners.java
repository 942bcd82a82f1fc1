package io.noah.cluster.ops;

import java.util.Map;

/**
 * The contract between features that set an app's replica counts (releases, the autoscaler), so that they never undo
 * each other without importing each other: a feature that owns an app's replica counts for a while (a canary release
 * from its start to its end) says so here, and the autoscaler reads it before it writes. While an app has an owner,
 * the autoscaler keeps deciding and recording but writes nothing; it acts again from the counts the owner left. The
 * owner never waits for the autoscaler.
 */
public interface ReplicaOwners {

    /** The apps with an owner now, per pool: {@link #key} → who and why (e.g. "release r-1 (running, batch 2 of 4)"). */
    Map<String, String> owners();

    /** No feature owns any app (the autoscaler alone). */
    ReplicaOwners NONE = Map::of;

    static String key(String pool, String namespace, String app) {
        return pool + "/" + namespace + "/" + app;
    }
}
