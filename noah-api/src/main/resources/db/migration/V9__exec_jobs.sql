-- Batch exec jobs and their per-pod outcomes (noah-console). The job's document is small (who, why, what, where);
-- outcomes are appended as they come, so progress costs one insert per batch of pods, not a rewrite.
create table exec_job (
    id               text primary key,
    state            text        not null,
    doc              jsonb       not null,
    cancel_requested boolean     not null default false,
    created_at       timestamptz not null,
    heartbeat_at     timestamptz not null,
    finished_at      timestamptz
);
create index exec_job_created on exec_job (created_at);
create index exec_job_running on exec_job (heartbeat_at) where state = 'RUNNING';

create table exec_result (
    job_id  text    not null references exec_job (id) on delete cascade,
    seq     bigserial,
    kind    text    not null,
    doc     jsonb   not null,
    primary key (job_id, seq)
);

-- Web terminal sessions: the one-time ticket (SHA-256, cleared when redeemed) so any instance can accept the
-- websocket; the instance bridging it, a heartbeat, how it ended, bytes each way, and an optional asciicast recording.
create table terminal_session (
    id             text primary key,
    actor          text        not null,
    doc            jsonb       not null,
    ticket_hash    text,
    ticket_expires timestamptz not null,
    created_at     timestamptz not null,
    started_at     timestamptz,
    heartbeat_at   timestamptz,
    ended_at       timestamptz,
    end_requested  boolean     not null default false,
    recording      text
);
create index terminal_session_open on terminal_session (actor) where ended_at is null;
