package io.noah.api.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

@Entity
@Table(name = "cluster")
public class ClusterEntity {

    @Id
    public String name;
    public String idc;
    public String pool;
    public String labels;
    public boolean maintenance;
    @Column(name = "connection_kind")
    public String connectionKind;
    public byte[] credentials;
    @Column(name = "key_id")
    public String keyId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Version
    public long version;
}
