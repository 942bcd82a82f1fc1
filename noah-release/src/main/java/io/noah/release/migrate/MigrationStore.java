package io.noah.release.migrate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where migrations live (PostgreSQL in noah-api): compare-and-set on the version, one holder per migration by lease. */
public interface MigrationStore {

    void insert(Migration m);

    Optional<Migration> find(String id);

    List<Migration> list(int limit);

    /** Migrations not ended. */
    List<Migration> active();

    /** Migrations not ended whose lease is free, expired, or this instance's: claimed (or renewed) for {@code lease}. */
    List<Migration> claim(String instance, Duration lease);

    /** Stores {@code next} if the stored version is still {@code next.version()}; holder null: any (a caller's action). */
    boolean update(Migration next, String holderOrNull);
}
