-- Import and claim (SPEC §4): failed legacy credential checks with a temporary
-- lock, and the saga that moves a legacy filing into a current account.

-- One row per login email tried (known or not, the same), keyed by the SHA-256
-- of its lower-cased form: a streak of failures and the lock it earned.
create table legacy_login_failures (
    email_key          text primary key,
    failures           bigint not null,
    last_failure_at_ms bigint not null,
    locked_until_ms    bigint not null
);

-- The saga's lease and back-off: a PENDING row is driven by whoever holds it
-- (the request that made it, or the resume worker once next_attempt_at_ms passed).
alter table migrations add column attempts bigint not null default 0;
alter table migrations add column next_attempt_at_ms bigint not null default 0;
alter table migrations add column last_error text;
-- a claim's review case: CompleteClaim is idempotent on it
alter table migrations add column case_number text;

create unique index migrations_by_case_number on migrations (case_number);
create index migrations_due on migrations (state, next_attempt_at_ms);
