-- Idempotency keys of SendCode and CheckCode; caps as counters per fixed
-- window and the resend cooldown as one row per destination and purpose,
-- replacing the send events and the limit gates (which held a row across a
-- whole send); failed checks, for the daily limit per destination and purpose.

-- SendCode's idempotency key: a retry with it answers this code
alter table codes add column request_id text;
create unique index codes_by_request on codes (request_id);
-- set with state USED: a retry of that check (same key, same code) answers the same proof
alter table codes add column check_request_id text;

-- one row per cap key and fixed window; a request adds one in a single upsert
create table limit_counters (
    counter_key     text not null,
    window_start_ms bigint not null,
    hits            bigint not null,
    primary key (counter_key, window_start_ms)
);

-- when the next code may go to a destination for a purpose, taken by one
-- conditional upsert; the end of the one before, for a send that gives it back
create table send_cooldowns (
    destination_key   text not null,
    purpose           text not null,
    until_ms          bigint not null,
    previous_until_ms bigint not null,
    primary key (destination_key, purpose)
);

-- one row per wrong check: what the daily limit of failed checks counts
create table check_failures (
    failure_id      text primary key,
    destination_key text not null,
    purpose         text not null,
    created_at_ms   bigint not null
);

create index check_failures_by_pair on check_failures (destination_key, purpose, created_at_ms);

drop table limit_gates;
drop table send_events;
drop index human_checks_by_client;
