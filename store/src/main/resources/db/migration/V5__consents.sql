-- FHIR R4 Consent resources as accepted and returned (JSON), and the grants compiled from the
-- active ones: what the collection and disclosure checks load. patient_id is the pseudonym,
-- never a NIK. Consents hold no health values, so they are stored in plain text.
create table consents (
    id          text primary key,
    patient_id  text not null,
    status      text not null,
    version     bigint not null,
    updated_at  timestamptz not null,
    resource    text not null
);
create index consents_patient on consents (patient_id);

-- One row per (permit, action, actor) of an active consent; rewritten with its consent.
create table consent_grants (
    consent_id  text not null references consents (id) on delete cascade,
    patient_id  text not null,
    action      text not null check (action in ('collect', 'disclose')),
    categories  integer not null check (categories > 0),  -- bit set of data categories (DataCategory.bit)
    actor       text,                                     -- Practitioner/{id} or Organization/{id}; null for collect
    valid_from  timestamptz,                              -- null: open
    valid_to    timestamptz,
    check ((action = 'collect') = (actor is null))
);
create index consent_grants_patient on consent_grants (patient_id);
