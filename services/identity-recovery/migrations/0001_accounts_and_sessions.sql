-- Accounts of the current platform and their login sessions.
-- Portable DDL (SQLite and PostgreSQL): no booleans (smallint 0/1), times as
-- unix milliseconds, ids made by the application.

create table accounts (
    account_id     text primary key,
    login_name     text not null,
    -- lower-cased login name: lookups are case-insensitive on both engines
    login_name_key text not null unique,
    site           text not null check (site in ('CN', 'INTL')),
    mobile         text not null,
    email          text not null,
    password_hash  text not null,
    staff          smallint not null default 0,
    created_at_ms  bigint not null,
    updated_at_ms  bigint not null
);

create table sessions (
    -- sha-256 of the bearer token: a stolen table holds no usable token
    token_hash    text primary key,
    account_id    text not null references accounts (account_id),
    created_at_ms bigint not null,
    expires_at_ms bigint not null
);

create index sessions_by_account on sessions (account_id);
