-- Why an approved case's effect could not be carried out (an offline transfer whose rule
-- no longer holds when staff approve it): the case is COMPLETED with this reason, the
-- ErrorReason's name (e.g. TRANSFER_TARGET_HOLDS_SUBJECT), which the applicant sees.
-- Null while pending and when the effect was applied. Portable DDL.
alter table review_cases add column failure_reason text;
