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

create function ensure_audit_partitions(p_from timestamptz, p_to timestamptz) returns integer
language plpgsql as $$
declare
    m       timestamp := date_trunc('month', p_from at time zone 'UTC');
    created integer := 0;
    part    text;
begin
    -- instances starting together (or their hourly runs) create each month once, not racing
    perform pg_advisory_xact_lock(hashtext('audit_events partitions'));
    while (m at time zone 'UTC') < p_to loop
        part := 'audit_events_p' || to_char(m, 'YYYY_MM');
        if to_regclass(part) is null then
            execute format('create table %I partition of audit_events for values from (%L) to (%L)',
                           part, m at time zone 'UTC', (m + interval '1 month') at time zone 'UTC');
            -- TRUNCATE aimed at a partition does not reach the table's statement trigger
            execute format('create trigger audit_events_no_truncate before truncate on %I '
                           'for each statement execute function audit_events_append_only()', part);
            created := created + 1;
        end if;
        m := m + interval '1 month';
    end loop;
    return created;
end $$;

-- Retention: drops whole monthly partitions that end at or before p_before (DDL, which the
-- append-only trigger does not cover: removing a month is an operator's explicit setting).
create function drop_audit_partitions_before(p_before timestamptz) returns integer
language plpgsql as $$
declare
    r       record;
    dropped integer := 0;
begin
    -- a retention shorter than a month (or a date in the future) would take the current month
    if p_before > now() - interval '31 days' then
        raise exception 'audit retention must keep at least 31 days' using errcode = '22023';
    end if;
    perform pg_advisory_xact_lock(hashtext('audit_events partitions'));
    for r in select c.relname from pg_inherits i
             join pg_class c on c.oid = i.inhrelid
             join pg_class p on p.oid = i.inhparent
             where p.relname = 'audit_events' and c.relname ~ '^audit_events_p[0-9]{4}_[0-9]{2}$' loop
        if ((to_date(substr(r.relname, 15), 'YYYY_MM')::timestamp + interval '1 month') at time zone 'UTC') <= p_before then
            execute format('drop table %I', r.relname);
            dropped := dropped + 1;
        end if;
    end loop;
    return dropped;
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
