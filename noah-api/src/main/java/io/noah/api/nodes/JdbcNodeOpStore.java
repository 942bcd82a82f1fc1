package io.noah.api.nodes;

import io.noah.api.persistence.LeasedDocuments;
import io.noah.cluster.nodeops.NodeOp;
import io.noah.cluster.nodeops.NodeOpStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Node operations in PostgreSQL (V8): the document, its version (compare-and-set) and the lease of the instance running it. */
@Component
public class JdbcNodeOpStore implements NodeOpStore {

    private final LeasedDocuments<NodeOp> docs;

    public JdbcNodeOpStore(JdbcClient db, JsonMapper json) {
        this.docs = new LeasedDocuments<>(db, json, "node_operation", "state in ('RUNNING', 'PAUSED')", new LeasedDocuments.Shape<>(
                NodeOp.class, NodeOp::id, op -> op.state().name(), NodeOp::createdAt, NodeOp::version, NodeOp::withVersion,
                op -> op.state().ended()));
    }

    @Override
    public void insert(NodeOp op) {
        docs.insert(op);
    }

    @Override
    public Optional<NodeOp> find(String id) {
        return docs.find(id);
    }

    @Override
    public List<NodeOp> list(int limit) {
        return docs.list(limit);
    }

    @Override
    public List<NodeOp> claim(String instance, Duration lease) {
        return docs.claim(instance, lease);
    }

    @Override
    public boolean update(NodeOp next, String holder) {
        return docs.update(next, holder);
    }
}
