package io.noah.api.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "api_token")
public class ApiTokenEntity {

    @Id
    public UUID id;
    public String name;
    @Column(name = "token_hash")
    public String tokenHash;
    public String role;
    public String apps;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
}
