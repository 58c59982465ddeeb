-- Each flow's revision: a step advances only from the revision it read
-- (compare-and-set), so a racing or repeated step cannot apply twice.
alter table flows add column revision bigint not null default 0;

-- Per-client quotas of gateway requests (e.g. customer-service reviews a day):
-- one counter row per client, action and window, raised by one atomic upsert.
create table client_quotas (
    client        text not null,
    action        text not null,
    window_start_ms bigint not null,
    used          bigint not null,
    primary key (client, action, window_start_ms)
);

create index client_quotas_by_window on client_quotas (window_start_ms);
