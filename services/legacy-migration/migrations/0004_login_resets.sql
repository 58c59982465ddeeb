-- SPEC §2: legacy login resets (备案账号邮箱初始化) and legacy password resets.

-- One row per approved LEGACY_LOGIN_RESET case whose new email replaced the login's:
-- the case number keys the replacement, so a retried effect changes nothing twice.
create table legacy_login_email_changes (
    case_number     text primary key,
    legacy_login_id text not null references legacy_logins (legacy_login_id),
    filing_number   text not null,
    changed_at_ms   bigint not null
);

-- One row per legacy password reset done, keyed by the caller's request id (the
-- gateway's flow id): a retry after a lost answer finds it and sets nothing again.
create table legacy_password_resets (
    request_id      text primary key,
    legacy_login_id text not null references legacy_logins (legacy_login_id),
    reset_at_ms     bigint not null
);
