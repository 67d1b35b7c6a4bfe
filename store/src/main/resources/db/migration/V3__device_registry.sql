-- Devices registered to publish over MQTT, each for one patient. Nothing here identifies a
-- person or lets a device be impersonated: the patient is the keyed pseudonym of the NIK, the
-- serial number is kept only as a keyed hash (to recognise a device registered twice), and the
-- secret only as a salted PBKDF2-HMAC-SHA256 hash with its parameters, so they can be raised later.
create table registered_devices (
    id                text primary key,
    patient_id        text not null references patients (id),
    manufacturer      text,
    model             text,
    serial_hash       text not null,
    secret_salt       bytea not null,
    secret_iterations integer not null,
    secret_hash       bytea not null,
    registered_at     timestamptz not null default now(),
    revoked_at        timestamptz
);

create index registered_devices_patient on registered_devices (patient_id);
create index registered_devices_serial on registered_devices (serial_hash);
