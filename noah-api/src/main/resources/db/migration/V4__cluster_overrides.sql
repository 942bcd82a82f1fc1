-- Operational state of clusters declared in Noah's configuration: maintenance, pool and labels are set
-- through the API on every cluster (the configuration only gives their starting values). A column that
-- is null keeps the configured value. Clusters registered through the API keep theirs in "cluster".
create table cluster_override (
    name        text primary key,
    maintenance boolean,
    pool        text,
    labels      text,                 -- JSON object
    updated_at  timestamptz not null
);
