-- Login that cannot be guessed at: brute-force detection per login name (Keycloak's
-- model: failure factor, wait increment, max wait, reset after a quiet period), a cap
-- of failed logins per client address, and idle timeouts of sessions.

create table login_failures (
    -- sha-256 of the normalised login name, known or not: an unknown name is counted
    -- and locked exactly like a known one, and a mistyped password in the name field
    -- is never stored in the clear
    login_key            text primary key,
    -- the account the name belongs to, when it has one: where the lock notice goes
    account_id           text,
    -- failed logins of the current streak (0 after a successful login)
    failures             bigint not null,
    -- names the streak: the lock notice's idempotency key
    streak_started_at_ms bigint not null,
    last_failure_at_ms   bigint not null,
    -- no login is checked before this instant (0: not locked)
    locked_until_ms      bigint not null,
    -- 1 while the lock notice of this streak is still to be queued
    lock_notice_due      smallint not null default 0,
    lock_notice_locale   text not null default 'zh-CN'
);

create index login_failures_by_notice_due on login_failures (lock_notice_due);

-- Failed logins per client address (IPv6: its /64) and fixed window.
create table login_client_failures (
    client_key      text not null,
    window_start_ms bigint not null,
    failures        bigint not null,
    primary key (client_key, window_start_ms)
);

-- Sessions with an idle timeout (staff): last_seen_at_ms moves on use, at most once a
-- minute; 0 means no idle timeout.
alter table sessions add column last_seen_at_ms bigint not null default 0;
alter table sessions add column idle_timeout_ms bigint not null default 0;

create index sessions_by_expiry on sessions (expires_at_ms);
