-- Readings kept as sealed time blocks: one row per patient, reading type, time window and data key
-- version (store.block.BlockWindow: an hour for dense series, a UTC day for the rest). A block's
-- readings are encoded with a time-series codec and sealed once with AES-256-GCM under the
-- patient's data key; the associated data binds patient, type, window start and key version. In
-- clear: only the key columns and how many readings the block holds. Writers merge into a block
-- under an advisory lock on its key (store.copy.BlockWriter), so the primary key is the only index.
-- The key version is part of the key: after an erasure, new readings go to new blocks under the new
-- key while the erased ones wait, unreadable, for the sweeper.
do $$
declare
    ddl text := 'create table reading_blocks (
        patient_id   text        not null,
        type         smallint    not null,
        window_start timestamptz not null,
        key_version  integer     not null,
        n_readings   integer     not null,
        sealed       bytea       not null,
        primary key (patient_id, type, window_start, key_version))';
begin
    if exists (select 1 from pg_extension where extname = 'timescaledb')
       and not exists (select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
                       where c.relname = 'readings' and c.relnamespace = current_schema()::regnamespace) then
        execute ddl;
        perform create_hypertable('reading_blocks', 'window_start', chunk_time_interval => interval '7 days');
    else
        execute ddl || ' partition by range (window_start)';
        -- a block partition for every month that has a readings partition, so the upgrade can move them
        perform ensure_monthly_partitions('reading_blocks', min(b.lo), max(b.lo) + interval '1 month', false)
        from (select to_date(substr(c.relname, 11), 'YYYY_MM')::timestamp at time zone 'UTC' as lo
              from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
              where p.relname = 'readings' and c.relname ~ '^readings_p[0-9]{4}_[0-9]{2}$') b
        having count(*) > 0;
    end if;
end $$;

-- ciphertext does not compress: keep it out of line without trying
alter table reading_blocks alter column sealed set storage external;

-- Observation ids issued before blocks (<start>-<row key>) name no patient; the upgrade keeps, for
-- each reading it moves into a block, what finds the block again. Erasure deletes them with the rows.
create table legacy_observation_ids (
    obs_key         text        not null,
    effective_start timestamptz not null,
    patient_id      text        not null,
    type            smallint    not null,
    primary key (obs_key, effective_start)
);

-- Native partitioning keeps both tables' months in step: the service creates them ahead and drops
-- them past retention through these two functions.
create or replace function ensure_reading_partitions(p_from timestamptz, p_to timestamptz) returns integer
language plpgsql as $$
begin
    if not exists (select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
                   where c.relname = 'readings' and c.relnamespace = current_schema()::regnamespace) then
        return 0;
    end if;
    return ensure_monthly_partitions('readings', p_from, p_to, false)
         + ensure_monthly_partitions('reading_blocks', p_from, p_to, false);
end $$;

create or replace function drop_reading_partitions_before(p_before timestamptz) returns integer
language plpgsql as $$
begin
    return drop_monthly_partitions_before('readings', p_before)
         + drop_monthly_partitions_before('reading_blocks', p_before);
end $$;

-- Observation ids of readings in blocks carry a 64-bit tag of their patient (the first 8 bytes of
-- SHA-256 of the pseudonym), so a read by id finds the patient, then the block, by index. Tags may
-- collide; the reader checks each patient they name.
create function patient_tag(p text) returns bigint
language sql immutable strict parallel safe as
$$ select ('x' || substr(encode(sha256(convert_to(p, 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint $$;

alter table patients add column tag bigint generated always as (patient_tag(id)) stored;
create index patients_tag on patients (tag);
