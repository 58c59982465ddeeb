-- Staff review cases and the identity documents uploaded with them.
-- Portable DDL (SQLite and PostgreSQL): no booleans (smallint 0/1), times as
-- unix milliseconds computed in Rust, ids made by the application.

create table review_cases (
    -- RV + China-local yyyymmdd of submission + 6 random digits
    case_number                  text primary key,
    kind                         text not null check (kind in ('ACCOUNT_LOOKUP', 'LEGACY_LOGIN_RESET',
                                     'FILING_PASSWORD', 'LEGACY_CLAIM', 'OFFLINE_TRANSFER')),
    state                        text not null check (state in ('PENDING', 'APPROVED', 'REJECTED', 'COMPLETED')),
    -- the applicant, normalised (mobile digits, punycoded email domain, upper-case certificate)
    applicant_name               text not null,
    applicant_certificate_type   text,
    applicant_certificate_number text,
    applicant_mobile             text not null,
    applicant_email              text,
    -- what the case is about; which are set depends on the kind
    domain                       text,
    filing_number                text,
    nature                       text,
    province_code                text,
    city_code                    text,
    district_code                text,
    certificate_type             text,
    certificate_number           text,
    new_login_email              text,
    target_account_id            text,
    account_id                   text,
    description                  text not null,
    applicant_is_principal       smallint not null,
    -- language of the notices sent about the case
    locale                       text not null,
    -- kind plus the domain or subject filing number: one pending case per key
    dedup_key                    text not null,
    submitted_at_ms              bigint not null,
    -- end of the last business day allowed, computed with the business calendar
    deadline_at_ms               bigint not null,
    decision_note                text,
    decided_by                   text,
    decided_at_ms                bigint,
    updated_at_ms                bigint not null
);

-- Race-safe duplicate check: a second pending case for the same key cannot be inserted.
create unique index review_cases_one_pending on review_cases (dedup_key) where state = 'PENDING';

-- The staff queue: by state, oldest deadline first, case number breaking ties (keyset paging).
create index review_cases_queue on review_cases (state, deadline_at_ms, case_number);

create table review_documents (
    document_id   text primary key,
    case_number   text not null references review_cases (case_number),
    -- upload order within the case
    position      bigint not null,
    kind          text not null,
    content_type  text not null check (content_type in ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes    bigint not null,
    content       bytea not null,
    created_at_ms bigint not null,
    unique (case_number, position)
);
