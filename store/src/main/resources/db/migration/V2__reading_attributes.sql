-- The full catalogue: coded readings (cycle data) have no number, categorical and context fields
-- (location, specimen, body position...) are stored as one byte each in attrs, and sleep stages
-- in detail (see store.copy.Detail for the layout).
alter table readings alter column value drop not null;
alter table readings add column attrs integer not null default 0;
alter table readings add column detail bytea;
