-- TimescaleDB's create_hypertable adds an index on the time column by default; V9 meant the
-- primary key (patient_id, type, window_start, key_version) to be the only index, as it is on
-- native partitions. Every read names a patient and a type, so the time index serves no query, and
-- it misled the planner: for $lastn's "newest blocks of a type", a generic plan walked it across
-- every patient's blocks of a chunk (filtering on patient and type) instead of descending the key,
-- which costs time in proportion to the number of patients, not to the patient's own blocks. It
-- also costs every block write an index entry. Dropping it on the hypertable drops it on each chunk.
drop index if exists reading_blocks_window_start_idx;
