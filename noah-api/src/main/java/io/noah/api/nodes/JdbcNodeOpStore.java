package io.noah.api.nodes;

import io.noah.cluster.nodeops.NodeOp;
import io.noah.cluster.nodeops.NodeOpStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Node operations in PostgreSQL: the document, its version (compare-and-set) and the lease of the instance running it. */
@Component
public class JdbcNodeOpStore implements NodeOpStore {

    private final JdbcClient db;
    private final JsonMapper json;

    public JdbcNodeOpStore(JdbcClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    private NodeOp row(ResultSet rs, int n) throws SQLException {
        return json.readValue(rs.getString("doc"), NodeOp.class).withVersion(rs.getLong("version"));
    }

    @Override
    public void insert(NodeOp op) {
        db.sql("insert into node_operation (id, state, doc, version, created_at, updated_at) values (?, ?, ?::jsonb, ?, ?, ?)")
                .params(op.id(), op.state().name(), json.writeValueAsString(op), op.version(), Timestamp.from(op.createdAt()),
                        Timestamp.from(op.createdAt()))
                .update();
    }

    @Override
    public Optional<NodeOp> find(String id) {
        return db.sql("select doc, version from node_operation where id = ?").param(id).query(this::row).optional();
    }

    @Override
    public List<NodeOp> list(int limit) {
        return db.sql("select doc, version from node_operation order by created_at desc limit ?").param(limit).query(this::row).list();
    }

    @Override
    public List<NodeOp> claim(String instance, Duration lease) {
        return db.sql("update node_operation set holder = ?, lease_until = now() + (? * interval '1 millisecond')"
                        + " where state in ('RUNNING', 'PAUSED') and (holder is null or holder = ? or lease_until < now())"
                        + " returning doc, version")
                .params(instance, lease.toMillis(), instance).query(this::row).list();
    }

    @Override
    public boolean update(NodeOp next, String holder) {
        NodeOp stored = next.withVersion(next.version() + 1);
        String sql = "update node_operation set doc = ?::jsonb, state = ?, version = version + 1, updated_at = now()"
                + (next.state().ended() ? ", holder = null, lease_until = null" : "")
                + " where id = ? and version = ?" + (holder == null ? "" : " and holder = ? and lease_until > now()");
        var q = db.sql(sql).params(json.writeValueAsString(stored), next.state().name(), next.id(), next.version());
        if (holder != null) {
            q = q.param(holder);
        }
        return q.update() == 1;
    }
}
