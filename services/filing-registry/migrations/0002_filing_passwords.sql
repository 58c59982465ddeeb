-- Filing passwords (SPEC §3): the lock after repeated wrong passwords, each issue
-- of a new password keyed by what caused it, the notices that carry it until
-- verification-codes has them, and the caps on recovery attempts.

-- wrong filing passwords since the last success, the last lock or a quiet day
alter table subjects add column password_failures bigint not null default 0;
alter table subjects add column password_last_failure_ms bigint not null default 0;
-- 0: not locked; otherwise the lock's end (a past value: the count restarts)
alter table subjects add column password_locked_until_ms bigint not null default 0;

-- one row per new password issued: `recover:<request id>` or `review:<case number>`;
-- a retry of the same request finds it and answers where the password went
create table filing_password_issues (
    issue_key     text primary key,
    subject_id    text not null references subjects (subject_id),
    -- where it went, masked ('' when there was no such contact)
    masked_mobile text not null,
    masked_email  text not null,
    issued_at_ms  bigint not null
);

-- notices written with the password in one transaction, handed to
-- verification-codes' EnqueueNotice by the relay under notice_id (its
-- idempotency key) until it accepts them
create table notice_outbox (
    notice_id          text primary key,
    channel            text not null check (channel in ('SMS', 'EMAIL')),
    destination        text not null,
    template           text not null,
    locale             text not null,
    -- the template's parameters, sealed; null once handed off
    sealed_params      text,
    state              text not null check (state in ('PENDING', 'HANDED_OFF', 'FAILED')),
    attempts           bigint not null default 0,
    next_attempt_at_ms bigint not null,
    created_at_ms      bigint not null,
    handed_off_at_ms   bigint
);

create index notice_outbox_due on notice_outbox (state, next_attempt_at_ms);

-- recovery attempts per cap key and fixed window, each taken with one upsert
create table recovery_counters (
    counter_key     text not null,
    window_start_ms bigint not null,
    hits            bigint not null,
    primary key (counter_key, window_start_ms)
);
