-- The audit trail grows with every read and search; append-only, it could never shrink. It is now
-- range-partitioned by month of `recorded` (in both storage modes), so an explicit retention
-- (TELEMETRY_AUDIT_RETENTION, empty by default: everything is kept) drops whole months, the only
-- way rows ever leave it. Partitions are created ahead at start-up and hourly, like the readings'.
-- The rows recorded so far move into the partitioned table here.

alter table audit_events rename to audit_events_v6;
drop trigger audit_events_no_update_or_delete on audit_events_v6;

create table audit_events (
    id              text        not null,
    recorded        timestamptz not null,
    patient_id      text,
    action          char(1)     not null check (action in ('C', 'R', 'U', 'D', 'E')),
    interaction     text        not null,
    resource_type   text        not null,
    resource_id     text,
    query           text,
    outcome         smallint    not null check (outcome in (0, 4, 8, 12)),
    outcome_reason  text,
    actor_kind      text        not null,
    actor_subject   text,
    actor_fhir_user text,
    actor_org       text,
    source          text        not null,
    primary key (recorded, id)
) partition by range (recorded);

create index audit_events_v8_patient_recorded on audit_events (patient_id, recorded desc, id desc);
create index audit_events_v8_recorded on audit_events (recorded desc, id desc);
create index audit_events_v8_id on audit_events (id);

-- Monthly range partitions <table>_pYYYY_MM, one implementation for the readings (native mode)
-- and the audit trail. Creating and dropping take an advisory lock per table, so instances starting
-- together, or their hourly runs, create each month once instead of racing. An append-only table's
-- partitions each get a TRUNCATE guard (a TRUNCATE aimed at a partition does not reach the table's).
create function ensure_monthly_partitions(p_table text, p_from timestamptz, p_to timestamptz, p_append_only boolean)
returns integer
language plpgsql as $$
declare
    m       timestamp := date_trunc('month', p_from at time zone 'UTC');
    created integer := 0;
    part    text;
begin
    perform pg_advisory_xact_lock(hashtext(p_table || ' partitions'));
    while (m at time zone 'UTC') < p_to loop
        part := p_table || '_p' || to_char(m, 'YYYY_MM');
        if to_regclass(part) is null then
            execute format('create table %I partition of %I for values from (%L) to (%L)',
                           part, p_table, m at time zone 'UTC', (m + interval '1 month') at time zone 'UTC');
            if p_append_only then
                execute format('create trigger no_truncate before truncate on %I '
                               'for each statement execute function audit_events_append_only()', part);
            end if;
            created := created + 1;
        end if;
        m := m + interval '1 month';
    end loop;
    return created;
end $$;

-- Retention: drops whole monthly partitions of p_table that end at or before p_before.
create function drop_monthly_partitions_before(p_table text, p_before timestamptz) returns integer
language plpgsql as $$
declare
    r       record;
    dropped integer := 0;
begin
    perform pg_advisory_xact_lock(hashtext(p_table || ' partitions'));
    for r in select c.relname from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
             where p.relname = p_table and c.relname ~ ('^' || p_table || '_p[0-9]{4}_[0-9]{2}$') loop
        if ((to_date(substr(r.relname, length(p_table) + 3), 'YYYY_MM')::timestamp + interval '1 month') at time zone 'UTC')
                <= p_before then
            execute format('drop table %I', r.relname);
            dropped := dropped + 1;
        end if;
    end loop;
    return dropped;
end $$;

-- The readings' functions (V1) now delegate, so both tables are kept one way. A no-op on TimescaleDB.
create or replace function ensure_reading_partitions(p_from timestamptz, p_to timestamptz) returns integer
language plpgsql as $$
begin
    if not exists (select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
                   where c.relname = 'readings' and c.relnamespace = current_schema()::regnamespace) then
        return 0;
    end if;
    return ensure_monthly_partitions('readings', p_from, p_to, false);
end $$;

create or replace function drop_reading_partitions_before(p_before timestamptz) returns integer
language sql as $$ select drop_monthly_partitions_before('readings', p_before) $$;

create function ensure_audit_partitions(p_from timestamptz, p_to timestamptz) returns integer
language sql as $$ select ensure_monthly_partitions('audit_events', p_from, p_to, true) $$;

-- Audit retention (DDL, which the append-only trigger does not cover: removing a month is an
-- operator's explicit setting); it never takes the last 31 days.
create function drop_audit_partitions_before(p_before timestamptz) returns integer
language plpgsql as $$
begin
    if p_before > now() - interval '31 days' then
        raise exception 'audit retention must keep at least 31 days' using errcode = '22023';
    end if;
    return drop_monthly_partitions_before('audit_events', p_before);
end $$;

select ensure_audit_partitions(least(coalesce((select min(recorded) from audit_events_v6), now()), now()),
                               now() + interval '3 months');
insert into audit_events select * from audit_events_v6;
drop table audit_events_v6;

-- Append-only, now per row so that it also holds for statements aimed at a partition directly.
create trigger audit_events_no_update_or_delete
    before update or delete on audit_events
    for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function audit_events_append_only();
-- (each partition gets its own truncate trigger from ensure_audit_partitions, which made them all)
-- only the schema's owner (the service's migration role) may drop months
revoke execute on function drop_audit_partitions_before(timestamptz) from public;
revoke execute on function ensure_audit_partitions(timestamptz, timestamptz) from public;
revoke execute on function drop_monthly_partitions_before(text, timestamptz) from public;
revoke execute on function ensure_monthly_partitions(text, timestamptz, timestamptz, boolean) from public;
