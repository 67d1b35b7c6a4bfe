-- A device registration's manufacturer and model are free text typed by whoever registers it, so
-- they are sealed under the patient's data key like readings (DeviceSealer), in attrs_sealed with
-- the key version that sealed them; the clear columns stay empty for new rows. Rows of earlier
-- versions are sealed, and their clear columns emptied, by a start-up job (DeviceRegistry).
alter table registered_devices add column attrs_sealed bytea;
alter table registered_devices add column attrs_key_version integer;
