-- Canary releases: the release document (spec, plan, position, last set replica counts) as JSON,
-- with the columns the executor and queries need beside it.
create table release (
    id           text primary key,
    app          text        not null,
    state        text        not null,
    doc          jsonb       not null,
    version      bigint      not null,
    lease_holder text,
    lease_until  timestamptz,
    created_at   timestamptz not null,
    updated_at   timestamptz not null
);
-- one active release per app
create unique index release_one_active_per_app on release (app)
    where state in ('RUNNING', 'WAITING', 'PAUSED', 'ROLLING_BACK');
create index release_app_created on release (app, created_at desc);

create table release_event (
    id          bigserial primary key,
    release_id  text        not null references release (id),
    at          timestamptz not null,
    actor       text        not null,
    type        text        not null,
    from_state  text,
    to_state    text        not null,
    step        integer     not null,
    target      integer     not null,
    reason      text
);
create index release_event_release on release_event (release_id, id);
