-- audit_app creates nothing any more (issue 12): whoever takes over the running service cannot
-- plant a table, view or function in audit's schema (a view or a function of the owner's name
-- on the search path, say) nor anything of its own beside the trail.
--
-- The running code ensures its bookkeeping tables (projection checkpoints, the trust read
-- model) with CREATE TABLE IF NOT EXISTS, which needs CREATE on the schema even when the
-- table exists, so 0002 granted CREATE. Now the owner makes those tables here, as
-- interlude.shared makes them (projections.checkpoints.SCHEMA, trust.projection.SCHEMA: a
-- test holds them equal), the running code creates them only where they are missing, and
-- audit_app may only read and write them. Where 0002 handed them to audit_app, the owner takes
-- them back (it is a member of audit_app).

CREATE TABLE IF NOT EXISTS projection_checkpoints (
    projection text NOT NULL,
    stream text NOT NULL,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, stream)
);
CREATE TABLE IF NOT EXISTS trust_policies (
    tenant_id text PRIMARY KEY,
    version bigint NOT NULL,
    policy jsonb NOT NULL,
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS trust_policies_position ON trust_policies (position);
CREATE TABLE IF NOT EXISTS trust_users (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    deactivated boolean NOT NULL DEFAULT false,
    forgotten boolean NOT NULL DEFAULT false,
    valid_after timestamptz NOT NULL DEFAULT '-infinity',
    position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX IF NOT EXISTS trust_users_position ON trust_users (position);

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['projection_checkpoints', 'trust_policies', 'trust_users'] LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', current_schema(), name, current_user);
        EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC', current_schema(), name);
        -- DELETE: a read model rebuilt from the start is emptied first
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO audit_app',
                       current_schema(), name);
    END LOOP;
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM audit_app', current_schema());
END $$;
