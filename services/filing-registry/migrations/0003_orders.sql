-- The regulator's decision on an order (DecideOrder): who, when, and the note the
-- holder sees. Null while the order is in progress or when it was abandoned.
alter table orders add column decided_by text;
alter table orders add column decided_at_ms bigint;
alter table orders add column decision_note text;
