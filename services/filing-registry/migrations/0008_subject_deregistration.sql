-- A subject deregistration (注销, SPEC §6), once approved, ends the holding: the subject's
-- `holder_account_id` becomes null (the account may then hold another subject, and nothing
-- finds the subject as anyone's), recorded as a holder change to nobody. So a null holder
-- now means deregistered, and `holder_changes.to_account_id` may be null.
--
-- SQLite cannot drop a NOT NULL constraint: the table is built again with the same columns
-- and rows (nothing references it), then its indexes.
create table holder_changes_next (
    change_id         text primary key,
    subject_id        text not null references subjects (subject_id),
    -- null when the subject entered the registry (import, claim)
    from_account_id   text,
    -- null when the subject was deregistered
    to_account_id     text,
    actor             text not null,
    reason            text not null,
    -- the request that caused it (migration id, case number, order number): a retry changes nothing
    idempotency_key   text unique,
    changed_at_ms     bigint not null
);

insert into holder_changes_next (change_id, subject_id, from_account_id, to_account_id, actor, reason,
    idempotency_key, changed_at_ms)
select change_id, subject_id, from_account_id, to_account_id, actor, reason, idempotency_key, changed_at_ms
from holder_changes;

drop table holder_changes;

alter table holder_changes_next rename to holder_changes;

create index holder_changes_by_subject on holder_changes (subject_id, changed_at_ms);
create index holder_changes_by_from on holder_changes (from_account_id, changed_at_ms);
create index holder_changes_by_to on holder_changes (to_account_id, changed_at_ms);
