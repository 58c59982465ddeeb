-- RedeemProof is idempotent on the caller's redemption key; limit gates make
-- the send and challenge caps exact under concurrency; challenges are counted
-- per client for their rate limit.

-- set with redeemed_at_ms: a retry carrying the same key succeeds again
alter table proofs add column redemption_key text;

-- one row per limited key (destination, client, prefix…). A transaction that
-- counts events under a key first upserts its gate row: the row lock (PostgreSQL)
-- or the write lock (SQLite) serialises concurrent counters of the same key.
create table limit_gates (
    gate_key      text primary key,
    touched_at_ms bigint not null
);

create index human_checks_by_client on human_checks (client_ip, created_at_ms);
create index codes_by_expiry on codes (expires_at_ms);
create index proofs_by_expiry on proofs (expires_at_ms);
