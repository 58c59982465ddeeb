-- An account's own history (ListHolderHistory by party): the changes where it was the old
-- or the new holder.
create index holder_changes_by_from on holder_changes (from_account_id, changed_at_ms);
create index holder_changes_by_to on holder_changes (to_account_id, changed_at_ms);
