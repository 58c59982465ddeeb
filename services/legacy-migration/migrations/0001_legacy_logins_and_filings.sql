-- The retired legacy platform's logins and filings, and their migrations into
-- current accounts. Portable DDL (SQLite and PostgreSQL): no booleans
-- (smallint 0/1), times as unix milliseconds, dates as YYYY-MM-DD text.

create table legacy_logins (
    legacy_login_id    text primary key,
    login_email        text not null,
    -- lower-cased login email: the lookup key
    login_email_key    text not null unique,
    password_hash      text not null,
    activated          smallint not null,
    -- orders still in progress on the legacy platform; they never move
    orders_in_progress bigint not null default 0,
    created_at_ms      bigint not null,
    updated_at_ms      bigint not null
);

create table legacy_filings (
    filing_number      text primary key,
    legacy_login_id    text not null references legacy_logins (legacy_login_id),
    name               text not null,
    nature             text not null check (nature in ('INDIVIDUAL', 'ORGANISATION')),
    province_code      text not null,
    city_code          text not null,
    district_code      text not null,
    certificate_type   text not null,
    certificate_number text not null,
    certificate_key    text not null,
    principal_name     text not null,
    principal_mobile   text not null,
    principal_email    text not null,
    -- decides claim (before 2010-06-01), import (through 2017-01-31) or nothing
    submitted_on       text not null,
    -- later moved to another provider: cannot be claimed
    moved_away         smallint not null default 0,
    created_at_ms      bigint not null,
    updated_at_ms      bigint not null
);

create index legacy_filings_by_login on legacy_filings (legacy_login_id);
create index legacy_filings_by_certificate on legacy_filings (certificate_key);

create table legacy_websites (
    website_number text primary key,
    filing_number  text not null references legacy_filings (filing_number),
    name           text not null
);

create table legacy_domains (
    -- normalised: lower case, punycode, no trailing dot, no leading www.
    domain         text primary key,
    website_number text not null references legacy_websites (website_number)
);

-- One row per legacy filing that entered a current account (import or claim).
-- The state machine PENDING → DONE is driven until done; a retry finds the row.
create table migrations (
    migration_id  text primary key,
    filing_number text not null unique references legacy_filings (filing_number),
    kind          text not null check (kind in ('IMPORT', 'CLAIM')),
    account_id    text not null,
    state         text not null check (state in ('PENDING', 'DONE')),
    -- the subject filing-registry created, once known
    subject_id    text,
    created_at_ms bigint not null,
    updated_at_ms bigint not null
);
