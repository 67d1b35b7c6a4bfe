-- Journal records the database refuses for a reason retrying cannot fix (a constraint, a value the
-- server rejects, a record that cannot be decoded or opened). The drainer moves them here and goes
-- on; an operator lists, replays or purges them. The record is kept exactly as the journal held
-- it: sealed under the patient's data key, so nothing readable about a reading is in clear here.
-- Plaintext records of the earliest journal versions are not copied (record is null).
create table dead_letters (
    id            bigserial primary key,
    journal_id    text        not null,
    journal_index bigint      not null,
    -- the keyed pseudonym, as in reading_blocks; null when the record could not be decoded
    patient_id    text,
    -- a stable code: db-refused, undecodable, or the crypto failure's code
    reason        text        not null,
    sqlstate      text,
    readings      integer     not null,
    record        bytea,
    times_seen    integer     not null default 1,
    first_seen    timestamptz not null default now(),
    last_seen     timestamptz not null default now(),
    unique (journal_id, journal_index)
);

create index dead_letters_patient on dead_letters (patient_id) where patient_id is not null;
