-- Totals an autoscaler asks of a running release, per pool (ReplicaOwners.requestTotal). The release's executor, which
-- alone writes the release, applies them in the plan's shares; a request is a total, not a delta, so asking twice (an
-- autoscaler instance taking over) never scales twice. last_up_at/last_down_at carry the autoscaler's cooldowns.
create table release_total_request (
    release_id   text        not null references release (id) on delete cascade,
    pool         text        not null,
    total        integer     not null check (total > 0),
    actor        text        not null,
    reason       text,
    requested_at timestamptz not null,
    last_up_at   timestamptz,
    last_down_at timestamptz,
    primary key (release_id, pool)
);
