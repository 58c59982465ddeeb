-- Password resets done (找回密码): one row per reset, keyed by the caller's request id, so
-- a retried reset changes nothing twice; also the record of when an account's password
-- was reset.
create table password_resets (
    request_id  text primary key,
    account_id  text not null references accounts (account_id),
    reset_at_ms bigint not null
);

create index password_resets_by_account on password_resets (account_id);
