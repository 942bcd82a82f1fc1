-- bulk node operations (cordon, uncordon, drain): the operation as a document, compare-and-set on version,
-- one holder at a time by lease (judged by the database's clock), so a restarted Noah continues where it was
create table node_operation (
    id          text primary key,
    state       text        not null,
    doc         jsonb       not null,
    version     bigint      not null,
    holder      text,
    lease_until timestamptz,
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);
create index node_operation_active on node_operation (state) where state in ('RUNNING', 'PAUSED');
create index node_operation_created on node_operation (created_at desc);
