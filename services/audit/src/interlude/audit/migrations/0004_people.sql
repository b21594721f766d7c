-- The people of each organisation as audit needs them: who holds which roles, and the name a
-- person is shown of whoever read their data ("who has read my data"). The table is the shared
-- directory's (interlude.shared.directory.SCHEMA: a test holds the two equal), made here by the
-- owner because audit_app creates nothing (migration 0003). Names stay sealed under each
-- person's key, as identity's events hold them; a forgotten person's name is gone with the key.

CREATE TABLE IF NOT EXISTS people (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    display_name jsonb,  -- sealed; NULL once the person is forgotten
    roles text[] NOT NULL DEFAULT '{}',
    status text NOT NULL,  -- invited | active | deactivated | forgotten
    PRIMARY KEY (tenant_id, user_id)
);

DO $$
BEGIN
    EXECUTE format('ALTER TABLE %I.people OWNER TO %I', current_schema(), current_user);
    EXECUTE format('REVOKE ALL ON %I.people FROM PUBLIC', current_schema());
    -- DELETE: a read model rebuilt from the start is emptied first
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.people TO audit_app',
                   current_schema());
END $$;
