-- An account's own history (ListHolderHistory by party): the changes where it was the old
-- or the new holder.
create index holder_changes_by_from on holder_changes (from_account_id, changed_at_ms);
create index holder_changes_by_to on holder_changes (to_account_id, changed_at_ms);

-- The request that started an order, `<account id>:<request id>`: a retry answers that order.
-- Null for requests without an id (unique ignores nulls on both engines).
alter table orders add column idempotency_key text;
create unique index orders_by_idempotency_key on orders (idempotency_key);
