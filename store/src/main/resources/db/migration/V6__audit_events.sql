-- One row per audited interaction with health data: reads and searches, consent changes,
-- erasures (FHIR AuditEvent, rendered by the API). Nothing here is a health value or a NIK: the
-- patient is the keyed pseudonym, resource_id an id this server issued, query the checked shape of
-- a search (parameter names, codes, date bounds) and the actor what the caller's token says.
--
-- No foreign key to patients: an erased patient's audit events are the proof of the erasure and of
-- every earlier disclosure, so they outlive the patient. The table is append-only (trigger below).
create table audit_events (
    id              text        primary key,
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
    source          text        not null
);

-- "who looked at my data": one patient's events, newest first, is one index range scan
create index audit_events_patient_recorded on audit_events (patient_id, recorded desc, id desc);
create index audit_events_recorded on audit_events (recorded desc, id desc);

-- An audit trail that the service itself could rewrite proves little: updates and deletes fail.
-- A retention job, when one is wanted, is a migration that says so explicitly.
create function audit_events_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'audit_events is append-only' using errcode = '42501';
end $$;

create trigger audit_events_no_update_or_delete
    before update or delete on audit_events
    for each statement execute function audit_events_append_only();
