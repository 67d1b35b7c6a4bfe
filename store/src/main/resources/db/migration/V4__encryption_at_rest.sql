-- Encryption at rest (envelope encryption). Each patient has one live AES-256 data key, stored
-- only wrapped by a key-encryption key (KEK) named by kek_id; erasure destroys it (wrapped set to
-- null), and a reading arriving afterwards gets the next key_version. No foreign key to patients:
-- a key may be created before the patient's first reading is stored, and it outlives the
-- patients row an erasure removes.
create table data_keys (
    patient_id   text        not null,
    key_version  integer     not null,
    kek_id       text        not null,
    wrapped      bytea,
    created_at   timestamptz not null default now(),
    destroyed_at timestamptz,
    primary key (patient_id, key_version),
    check ((destroyed_at is null) = (wrapped is not null))
);

-- Erasures (crypto-shredding): when, which key versions were destroyed, and when the background
-- job had deleted the readings that had become unreadable.
create table erasures (
    patient_id      text        not null,
    erased_at       timestamptz not null default now(),
    max_key_version integer     not null,
    rows_deleted_at timestamptz,
    primary key (patient_id, erased_at)
);
create index erasures_pending on erasures (erased_at) where rows_deleted_at is null;

-- The fixed field of AES-GCM nonces (NIST SP 800-38D 8.2.1): every process start takes the next
-- value, so no two processes ever share one. 32 bits; it must never cycle.
create sequence seal_nonce_prefix as bigint minvalue 1 maxvalue 4294967295 no cycle;

-- Sealed readings: device_id is empty, reading_id and obs_key hold the keyed row key, value,
-- value2, attrs and detail are empty, and everything they held is in sealed (nonce, ciphertext,
-- tag) under the patient's data key of version key_version. Rows with a null key_version are
-- plaintext rows of earlier versions, sealed by the service at start-up.
alter table readings add column key_version integer;
alter table readings add column sealed bytea;
