-- A person's name stays sealed under their key here, as it is in identity's event
-- ({"event_id", "field", "sealed"}), and is opened only for a reader allowed to see it: a
-- plaintext name in a row outlives its deletion in dead tuples, the WAL and backups, where only
-- the shredded key can erase it. The table is a read model of identity's events, so it is
-- re-created and its projection replays from the start of the stream (on a running system its
-- worker rebuilds it on the next start; a new database has no checkpoint yet).
--
-- The sealed table now comes from interlude.shared.directory (ensure_table, after the
-- migrations): here the plaintext one goes, where an older 0001 made it (a database that ran
-- this file before made the sealed table here, as the shared code makes it now).
-- (community's 0002 and engagement's 0003 are alike: each service's history is its own)
DROP TABLE IF EXISTS people;
DO $$
BEGIN
    IF to_regclass('projection_checkpoints') IS NOT NULL THEN
        UPDATE projection_checkpoints SET position = 0 WHERE projection = 'community-people';
    END IF;
END
$$;
