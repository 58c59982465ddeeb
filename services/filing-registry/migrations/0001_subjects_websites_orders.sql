-- Filed subjects, their websites and domains, orders, and every change of holder.
-- Portable DDL (SQLite and PostgreSQL): no booleans (smallint 0/1), times as
-- unix milliseconds, ids made by the application.

create table subjects (
    subject_id           text primary key,
    -- e.g. 京ICP备12345678号
    filing_number        text not null unique,
    name                 text not null,
    nature               text not null check (nature in ('INDIVIDUAL', 'ORGANISATION')),
    province_code        text not null,
    city_code            text not null,
    district_code        text not null,
    certificate_type     text not null,
    certificate_number   text not null,
    -- upper-cased, separators removed: the matching key
    certificate_key      text not null,
    principal_name       text not null,
    principal_mobile     text not null,
    principal_email      text not null,
    -- the regulator's filing password, as an Argon2id hash
    filing_password_hash text not null,
    -- one account holds at most one subject; null while held by none (never at rest)
    holder_account_id    text unique,
    -- bumped by every change, so concurrent writers can tell who won
    version              bigint not null default 0,
    created_at_ms        bigint not null,
    updated_at_ms        bigint not null
);

create index subjects_by_certificate on subjects (certificate_key);

create table websites (
    website_id       text primary key,
    subject_id       text not null references subjects (subject_id),
    -- e.g. 京ICP备12345678号-1
    website_number   text not null unique,
    name             text not null,
    state            text not null check (state in ('ACTIVE', 'ACCESS_CANCELLED', 'DEREGISTERED')),
    principal_name   text not null,
    principal_mobile text not null,
    principal_email  text not null,
    created_at_ms    bigint not null,
    updated_at_ms    bigint not null
);

create index websites_by_subject on websites (subject_id);

create table website_domains (
    website_id    text not null references websites (website_id),
    -- normalised: lower case, punycode, no trailing dot, no leading www.
    domain        text not null,
    -- 0 once removed or deregistered: the domain may then be filed again
    active        smallint not null default 1,
    created_at_ms bigint not null,
    primary key (website_id, domain)
);

-- a domain belongs to at most one live filing
create unique index website_domains_live on website_domains (domain) where active = 1;

create table orders (
    order_number   text primary key,
    subject_id     text not null references subjects (subject_id),
    kind           text not null,
    state          text not null check (state in ('IN_PROGRESS', 'APPROVED', 'REJECTED', 'ABANDONED')),
    website_number text,
    -- what the order changes, as JSON
    payload        text not null default '{}',
    created_at_ms  bigint not null,
    updated_at_ms  bigint not null
);

-- while a subject has an order in progress, no other order may start on it
create unique index orders_one_in_progress on orders (subject_id) where state = 'IN_PROGRESS';

create table holder_changes (
    change_id         text primary key,
    subject_id        text not null references subjects (subject_id),
    -- null when the subject entered the registry (import, claim)
    from_account_id   text,
    to_account_id     text not null,
    actor             text not null,
    reason            text not null,
    -- the request that caused it (migration id, case number): a retry changes nothing
    idempotency_key   text unique,
    changed_at_ms     bigint not null
);

create index holder_changes_by_subject on holder_changes (subject_id, changed_at_ms);

-- a server's filing service number is single use, even after cancel or deregister
create table service_numbers (
    service_number text primary key,
    website_id     text not null references websites (website_id),
    used_at_ms     bigint not null
);
