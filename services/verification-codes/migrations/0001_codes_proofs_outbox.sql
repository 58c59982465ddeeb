-- Human checks, codes, one-time proofs, send events (for rate limits) and the
-- outbox of messages to deliver. Portable DDL (SQLite and PostgreSQL): no
-- booleans (smallint 0/1), times as unix milliseconds, ids made by the application.

create table human_checks (
    challenge_id  text primary key,
    -- where the piece fits; never leaves the service
    answer_x      bigint not null,
    client_ip     text not null,
    created_at_ms bigint not null,
    expires_at_ms bigint not null,
    -- set when answered, right or wrong: a challenge is single use
    answered_at_ms bigint
);

create table human_passes (
    -- keyed hash of the pass token
    token_hash     text primary key,
    client_ip      text not null,
    created_at_ms  bigint not null,
    expires_at_ms  bigint not null,
    redeemed_at_ms bigint
);

create table codes (
    code_id         text primary key,
    purpose         text not null,
    channel         text not null check (channel in ('SMS', 'EMAIL')),
    destination     text not null,
    -- normalised destination: the key of limits and proofs
    destination_key text not null,
    -- keyed hash (HMAC-SHA-256) of the 6 digits
    code_hash       text not null,
    attempts        bigint not null default 0,
    state           text not null check (state in ('LIVE', 'USED', 'DEAD')),
    client_ip       text not null,
    created_at_ms   bigint not null,
    expires_at_ms   bigint not null
);

create index codes_by_destination on codes (destination_key, created_at_ms);

create table proofs (
    -- keyed hash of the proof
    proof_hash      text primary key,
    code_id         text not null references codes (code_id),
    purpose         text not null,
    channel         text not null,
    destination_key text not null,
    created_at_ms   bigint not null,
    expires_at_ms   bigint not null,
    redeemed_at_ms  bigint
);

-- one row per code sent: what the per-destination, per-prefix and per-client caps count
create table send_events (
    event_id           text primary key,
    destination_key    text not null,
    destination_prefix text not null,
    client_ip          text not null,
    created_at_ms      bigint not null
);

create index send_events_by_destination on send_events (destination_key, created_at_ms);
create index send_events_by_prefix on send_events (destination_prefix, created_at_ms);
create index send_events_by_client on send_events (client_ip, created_at_ms);

-- messages written in the same transaction as the state that caused them,
-- delivered by the dispatcher with retries; the message id goes to the provider
create table outbox (
    message_id         text primary key,
    idempotency_key    text not null unique,
    channel            text not null check (channel in ('SMS', 'EMAIL')),
    destination        text not null,
    template           text not null,
    locale             text not null,
    -- template values as JSON; cleared once delivered
    params             text not null,
    state              text not null check (state in ('PENDING', 'SENT', 'FAILED')),
    attempts           bigint not null default 0,
    next_attempt_at_ms bigint not null,
    created_at_ms      bigint not null,
    sent_at_ms         bigint
);

create index outbox_due on outbox (state, next_attempt_at_ms);
