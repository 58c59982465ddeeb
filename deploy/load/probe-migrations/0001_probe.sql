-- The parts scenarios' own tables: rows to read by key, and a table each write adds one to.
create table probe (id bigint primary key, value text not null);
create table probe_writes (id bigint primary key, value text not null);
