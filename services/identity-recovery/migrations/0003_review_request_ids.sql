-- The caller's idempotency key of the request that opened a case: a retry
-- whose first answer was lost gets the same case back. Cases opened before
-- keys existed have none (NULLs never collide in a unique index).

alter table review_cases add column request_id text;

create unique index review_cases_by_request on review_cases (request_id);
