-- Patients are known only by the keyed pseudonym of their NIK; no table holds a NIK.
create table patients (
    id         text primary key,
    created_at timestamptz not null default now()
);

create table devices (
    patient_id   text not null references patients (id),
    id           text not null,
    manufacturer text,
    model        text,
    first_seen   timestamptz not null default now(),
    last_seen    timestamptz not null default now(),
    primary key (patient_id, id)
);

-- Last journal index whose readings are committed here, per journal (each gateway has its own).
-- Written in the same transaction as the readings, so replay after a crash neither loses nor repeats.
create table journal_checkpoints (
    journal_id text primary key,
    last_index bigint not null,
    updated_at timestamptz not null default now()
);

-- One row per reading. The key is (patient, device, reading id, time): the idempotency key of the
-- batch format plus the time column, which TimescaleDB and native partitioning both require in
-- every unique index.
do $$
declare
    ddl text := 'create table readings (
        patient_id      text             not null,
        device_id       text             not null,
        reading_id      text             not null,
        type            smallint         not null,
        code            text             not null,
        effective_start timestamptz      not null,
        effective_end   timestamptz      not null,
        tz_offset       integer          not null,
        value           double precision not null,
        value2          double precision,
        obs_key         text             not null,
        received_at     timestamptz      not null,
        primary key (patient_id, device_id, reading_id, effective_start))';
begin
    if '${timescale}' <> 'off' then
        begin
            create extension if not exists timescaledb;
        exception when others then
            raise notice 'timescaledb is not available (%); readings use native range partitioning', sqlerrm;
        end;
    end if;
    if exists (select 1 from pg_extension where extname = 'timescaledb') then
        execute ddl;
        perform create_hypertable('readings', 'effective_start', chunk_time_interval => interval '7 days');
    else
        execute ddl || ' partition by range (effective_start)';
    end if;
end $$;

create index readings_patient_code_time on readings (patient_id, code, effective_start desc);
create index readings_patient_time on readings (patient_id, effective_start desc);
create index readings_obs_key on readings (obs_key);

-- Native partitioning: monthly partitions, created ahead by the service (no default partition, so
-- a later partition can always be created). Returns how many it created. A no-op on TimescaleDB.
create function ensure_reading_partitions(p_from timestamptz, p_to timestamptz) returns integer
language plpgsql as $$
declare
    m       timestamp := date_trunc('month', p_from at time zone 'UTC');
    created integer := 0;
    part    text;
begin
    if not exists (select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
                   where c.relname = 'readings' and c.relnamespace = current_schema()::regnamespace) then
        return 0;
    end if;
    while (m at time zone 'UTC') < p_to loop
        part := 'readings_p' || to_char(m, 'YYYY_MM');
        if to_regclass(part) is null then
            execute format('create table %I partition of readings for values from (%L) to (%L)',
                           part, m at time zone 'UTC', (m + interval '1 month') at time zone 'UTC');
            created := created + 1;
        end if;
        m := m + interval '1 month';
    end loop;
    return created;
end $$;

-- Native partitioning retention: drops whole monthly partitions that end at or before p_before.
create function drop_reading_partitions_before(p_before timestamptz) returns integer
language plpgsql as $$
declare
    r       record;
    dropped integer := 0;
begin
    for r in select c.relname from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
             where p.relname = 'readings' and c.relname ~ '^readings_p[0-9]{4}_[0-9]{2}$' loop
        if ((to_date(substr(r.relname, 11), 'YYYY_MM')::timestamp + interval '1 month') at time zone 'UTC') <= p_before then
            execute format('drop table %I', r.relname);
            dropped := dropped + 1;
        end if;
    end loop;
    return dropped;
end $$;
