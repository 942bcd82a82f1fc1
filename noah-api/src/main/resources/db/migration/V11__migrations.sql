-- disaster-recovery migrations: the migration as a document (moves, history), compare-and-set on version, one holder
-- at a time by lease (judged by the database's clock), so a restarted Noah goes on from the stored progress
create table migration (
    id          text primary key,
    state       text        not null,
    doc         jsonb       not null,
    version     bigint      not null,
    holder      text,
    lease_until timestamptz,
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);
create index migration_active on migration (state) where state not in ('SUCCEEDED', 'ROLLED_BACK', 'ABORTED', 'FAILED');
create index migration_created on migration (created_at desc);
