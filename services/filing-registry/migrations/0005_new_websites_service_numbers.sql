-- New-website orders (新增网站) and single-use server filing service numbers (备案服务号,
-- seed 002 §3–§4: "备案服务号不可复用").
--
-- A NEW_WEBSITE order carries the number it would use. While the order is in progress the
-- number is reserved: this partial unique index lets one order in progress hold it, also
-- between concurrent requests. Abandoned or rejected, the order leaves the index and the
-- number is free again; approved, the number goes into `service_numbers` (0001), whose rows
-- are never deleted: used for ever, also after cancel access or deregistration.
alter table orders add column service_number text;

create unique index orders_service_number_in_progress on orders (service_number)
    where state = 'IN_PROGRESS';
