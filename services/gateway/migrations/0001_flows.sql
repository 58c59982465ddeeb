-- Workflows in progress (lookup, transfer, resets): the opaque flow id a front
-- end holds, what step it reached and the state the next step needs.
-- Portable DDL: times as unix milliseconds, ids made by the application.

create table flows (
    flow_id       text primary key,
    kind          text not null,
    step          text not null,
    -- the flow's state as JSON; contact data in it never leaves the gateway
    state         text not null,
    created_at_ms bigint not null,
    expires_at_ms bigint not null
);

create index flows_by_expiry on flows (expires_at_ms);
