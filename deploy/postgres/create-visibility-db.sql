-- Runs once, when the PostgreSQL volume is first initialised. POSTGRES_DB creates `temporal`;
-- Temporal's visibility store needs a second database.
CREATE DATABASE temporal_visibility;
