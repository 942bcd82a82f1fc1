-- Autoscaler policies: the spec as JSON with the columns queries and leases need; one policy per app and namespace.
create table autoscaler (
    id           text primary key,
    namespace    text        not null,
    app          text        not null,
    doc          jsonb       not null,
    version      bigint      not null,
    lease_holder text,
    lease_until  timestamptz,
    created_by   text        not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null
);
create unique index autoscaler_one_per_app on autoscaler (namespace, app);

-- Live evaluating instances, so policies spread over them (fair share). Times are the database's.
create table autoscaler_member (
    instance   text primary key,
    seen_until timestamptz not null
);

-- Decisions: identical consecutive ones are one row (repeats, last_at).
create table autoscaler_decision (
    id            bigserial primary key,
    autoscaler_id text        not null references autoscaler (id) on delete cascade,
    pool          text        not null,
    at            timestamptz not null,
    last_at       timestamptz not null,
    repeats       integer     not null,
    mode          text        not null,
    reason        text        not null,
    current_count integer     not null,
    desired_count integer     not null,
    applied       boolean     not null,
    detail        jsonb       not null
);
create index autoscaler_decision_by_policy on autoscaler_decision (autoscaler_id, id desc);
create index autoscaler_decision_last_at on autoscaler_decision (last_at);
