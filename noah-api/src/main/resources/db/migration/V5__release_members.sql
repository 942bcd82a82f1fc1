-- Release executors: the live instances, so active releases spread over them (fair share) instead of the
-- first instance to tick taking them all. Times are the database's.
create table release_member (
    instance   text primary key,
    seen_until timestamptz not null
);
