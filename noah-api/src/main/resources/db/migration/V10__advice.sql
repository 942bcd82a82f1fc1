-- Resource advice runs (noah-hpa's advisor): a run's report (profiles, pairs, affinity, overcommit) is one document;
-- its pieces of advice are rows, so each can be marked done or dismissed. A scheduled run takes its period's slot
-- (unique), so of several instances one runs it; a run whose heartbeat stops (its instance died) is marked failed.
create table advice_run (
    id             text primary key,
    slot           text unique,
    state          text        not null,
    trigger        text        not null,
    actor          text        not null,
    reason         text,
    window_seconds bigint      not null,
    instance       text        not null,
    created_at     timestamptz not null,
    heartbeat_at   timestamptz not null,
    finished_at    timestamptz,
    error          text,
    summary        jsonb,
    report         jsonb
);
create index advice_run_created on advice_run (created_at desc);
create unique index advice_run_one_running on advice_run ((true)) where state = 'RUNNING';

create table advice_item (
    id           bigserial primary key,
    run_id       text             not null references advice_run (id) on delete cascade,
    cluster      text             not null,
    idc          text,
    namespace    text             not null,
    app          text             not null,
    kind         text             not null,
    rank         double precision not null,
    doc          jsonb            not null,
    state        text             not null default 'open',
    state_actor  text,
    state_reason text,
    state_at     timestamptz
);
create index advice_item_run on advice_item (run_id, kind, rank desc);
