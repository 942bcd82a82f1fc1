package io.noah.cluster.nodeops;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where node operations live (PostgreSQL in noah-api): compare-and-set on the version, one holder per operation by lease. */
public interface NodeOpStore {

    void insert(NodeOp op);

    Optional<NodeOp> find(String id);

    List<NodeOp> list(int limit);

    /** Operations not ended whose lease is free, expired, or this instance's: claimed (or renewed) for {@code lease}. */
    List<NodeOp> claim(String instance, Duration lease);

    /** Stores {@code next} if the stored version is still {@code next.version()}; the stored one gets version + 1. */
    boolean update(NodeOp next, String holderOrNull);
}
