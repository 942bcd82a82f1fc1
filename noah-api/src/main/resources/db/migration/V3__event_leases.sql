-- Event publishers: a lease per unit of work (a cluster, an IDC's alerts), with an epoch bumped on
-- every acquisition, and the live instances (for the fair share). Times are the database's.
create table event_lease (
    name        text primary key,
    holder      text        not null,
    epoch       bigint      not null,
    lease_until timestamptz not null
);

create table event_member (
    instance   text primary key,
    seen_until timestamptz not null
);
