-- The resident ID number of an organisation's principal (主体负责人): where a province
-- verifies subject changes by SMS, the change also needs its last six characters. An
-- individual's is the subject's own certificate number, so it stays null for them.
alter table subjects add column principal_id_number text;
