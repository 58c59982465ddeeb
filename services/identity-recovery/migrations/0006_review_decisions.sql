-- Staff decisions on review cases: the effect an approval (or a rejection's notice)
-- still owes, applied by a background worker until done, and the audit of every
-- staff view and decision. Portable DDL (SQLite and PostgreSQL).

-- One row per decided case, written in the decision's transaction: nothing decided
-- is ever forgotten by a crash. The worker leases a row by pushing next_attempt_at_ms
-- past the lease (one conditional update), so replicas never apply one case at once.
create table review_effects (
    case_number        text primary key references review_cases (case_number),
    -- APPLY (an approval's effect in the owning service) or NOTIFY_REJECTION
    action             text not null check (action in ('APPLY', 'NOTIFY_REJECTION')),
    attempts           bigint not null,
    next_attempt_at_ms bigint not null,
    -- the reason (never personal data) of the last failed attempt
    last_error         text,
    created_at_ms      bigint not null,
    done_at_ms         bigint
);

create index review_effects_due on review_effects (next_attempt_at_ms) where done_at_ms is null;

-- Who looked at or decided what, when: listable per case for staff.
create table review_audit (
    entry_id    text primary key,
    case_number text not null references review_cases (case_number),
    at_ms       bigint not null,
    -- the staff account; empty for the suite's own entries (EFFECT_APPLIED)
    actor       text not null,
    action      text not null check (action in ('VIEW_CASE', 'VIEW_DOCUMENT', 'APPROVE', 'REJECT',
                    'EFFECT_APPLIED')),
    document_id text,
    note        text
);

create index review_audit_by_case on review_audit (case_number, at_ms, entry_id);

-- The overdue view of the queue: pending cases by deadline.
create index review_cases_by_deadline on review_cases (deadline_at_ms, case_number) where state = 'PENDING';
