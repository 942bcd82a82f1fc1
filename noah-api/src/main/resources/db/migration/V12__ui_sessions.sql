-- Browser sessions of the web pages: the cookie's SHA-256 and the signed-in token's hash (never either secret itself).
create table ui_session (
    id_hash     text primary key,
    token_hash  text        not null,
    actor       text        not null,
    csrf        text        not null,
    created_at  timestamptz not null,
    expires_at  timestamptz not null
);
create index ui_session_expires on ui_session (expires_at);
