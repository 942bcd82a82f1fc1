package io.noah.api.migrations;

import io.noah.api.persistence.LeasedDocuments;
import io.noah.release.migrate.Migration;
import io.noah.release.migrate.MigrationStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Migrations in PostgreSQL (V11): the document, its version (compare-and-set) and the lease of the instance running it. */
@Component
public class JdbcMigrationStore implements MigrationStore {

    private final LeasedDocuments<Migration> docs;

    public JdbcMigrationStore(JdbcClient db, JsonMapper json) {
        this.docs = new LeasedDocuments<>(db, json, "migration", "state not in ('SUCCEEDED', 'ROLLED_BACK', 'ABORTED', 'FAILED')",
                new LeasedDocuments.Shape<>(Migration.class, Migration::id, m -> m.state().name(), Migration::createdAt, Migration::version,
                        Migration::withVersion, m -> m.state().ended()));
    }

    @Override
    public void insert(Migration m) {
        docs.insert(m);
    }

    @Override
    public Optional<Migration> find(String id) {
        return docs.find(id);
    }

    @Override
    public List<Migration> list(int limit) {
        return docs.list(limit);
    }

    @Override
    public List<Migration> active() {
        return docs.active();
    }

    @Override
    public List<Migration> claim(String instance, Duration lease) {
        return docs.claim(instance, lease);
    }

    @Override
    public boolean update(Migration next, String holder) {
        return docs.update(next, holder);
    }
}
