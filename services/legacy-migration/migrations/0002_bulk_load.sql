-- Bulk load of a legacy dump (DUMP.md): password formats, in-progress orders,
-- providers filings moved to, and the loader's checkpoints.

-- `suite` is the suite's own hash (beian_common::password); `md5`,
-- `md5-salted`, `sha1-salted` and `bcrypt` come from a dump.
alter table legacy_logins add column password_format text not null default 'suite';
alter table legacy_logins add column password_salt text;

-- set together with moved_away by a dump's moves file
alter table legacy_filings add column moved_to_provider text;
alter table legacy_filings add column moved_on text;

-- a load compares and replaces a website's domains
create index legacy_domains_by_website on legacy_domains (website_number);

-- orders still in progress on the legacy platform; legacy_logins.orders_in_progress
-- is recounted from these whenever a dump loads them
create table legacy_orders (
    order_number    text primary key,
    legacy_login_id text not null references legacy_logins (legacy_login_id),
    submitted_on    text not null,
    created_at_ms   bigint not null,
    updated_at_ms   bigint not null
);

create index legacy_orders_by_login on legacy_orders (legacy_login_id);

-- One row per dump file of an unfinished load: how far it got, committed in
-- the same transaction as the batch it follows. Gone once a load completes.
create table legacy_load_checkpoints (
    file          text primary key,
    dump          text not null,
    line          bigint not null,
    byte_offset   bigint not null,
    done          smallint not null,
    -- the file's counters so far (JSON), so a resumed load reports the whole load
    counters      text not null,
    updated_at_ms bigint not null
);
