-- A person's name and e-mail address stay sealed under their key in the directory, as they are
-- in the events ({"event_id", "field", "sealed"}), and are opened only for a reader allowed to
-- see them; an address is found by its blind index (HMAC-SHA256 under a key derived per
-- organisation), not by lower(email). A plaintext value in a row outlives its deletion in dead
-- tuples, the WAL and backups, where only the shredded key can erase it.
--
-- The directory is a read model of the IDENTITY stream: its tables are emptied and its
-- projection replays from the start (a new database has no checkpoint yet).
DROP TABLE directory_users;
CREATE TABLE directory_users (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    email jsonb,         -- sealed
    email_index text,    -- blind index of the address (see projections/people_data.py)
    display_name jsonb,  -- sealed
    roles text[] NOT NULL DEFAULT '{}',
    status text NOT NULL,
    source text NOT NULL DEFAULT '',
    external_id text,
    mfa boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX directory_users_email_index ON directory_users (tenant_id, email_index);
CREATE INDEX directory_users_external ON directory_users (tenant_id, external_id);
TRUNCATE directory_groups, directory_organisations;
DO $$
BEGIN
    IF to_regclass('projection_checkpoints') IS NOT NULL THEN
        UPDATE projection_checkpoints SET position = 0 WHERE projection = 'identity-directory';
    END IF;
END
$$;
