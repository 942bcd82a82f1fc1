-- Noah foundation: cluster registry, API tokens, audit trail.

create table cluster (
    name            text primary key,
    idc             text        not null,
    pool            text        not null,
    labels          text        not null default '{}',   -- JSON object
    maintenance     boolean     not null default false,
    connection_kind text        not null,                -- kubeconfig | token
    credentials     bytea       not null,                -- AES-GCM: 12-byte nonce || ciphertext+tag
    key_id          text        not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    version         bigint      not null default 0
);

create table api_token (
    id          uuid primary key,
    name        text        not null,
    token_hash  text        not null unique,  -- SHA-256 (hex) of the token; tokens are 256-bit random
    role        text        not null,
    apps        text        not null default '',  -- comma-separated, for the developer role
    created_by  text        not null,
    created_at  timestamptz not null,
    revoked_at  timestamptz
);

create table audit_event (
    id       bigserial primary key,
    at       timestamptz not null,
    actor    text        not null,
    action   text        not null,
    method   text        not null,
    target   text        not null,
    outcome  integer     not null,
    reason   text
);
create index audit_event_at on audit_event (at);
create index audit_event_actor on audit_event (actor, at);
