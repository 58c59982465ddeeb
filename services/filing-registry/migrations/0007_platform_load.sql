-- Bulk load of the current platform's export (`beian platform load`, deploy/beian/PLATFORM-EXPORT.md):
-- one row per file of an unfinished load (here: subjects, websites), how far it got, committed in
-- the same transaction as the batch it follows. Gone once a load completes.
create table platform_load_checkpoints (
    file          text primary key,
    -- the export's directory
    dump          text not null,
    line          bigint not null,
    byte_offset   bigint not null,
    done          smallint not null,
    -- the file's counters so far (JSON), so a resumed load reports the whole load
    counters      text not null,
    updated_at_ms bigint not null
);
