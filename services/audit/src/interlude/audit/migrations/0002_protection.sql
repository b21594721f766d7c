-- Who may do what to the trail, organisation by organisation, and the retention purge.
--
-- Two roles. The owner runs these migrations and owns the trail. audit_app is the role the API
-- and the worker log in as (`make run` creates it with a password; where it does not exist yet,
-- as in the tests, it is created here without login): it may read and append records and
-- checkpoints but never update or delete them, so privileges refuse that before the trigger.
-- Row-level security shows a transaction only the organisation it names in interlude.tenant
-- (set_config('interlude.tenant', <tenant id>, true); see interlude.audit.tenancy).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'audit_app') THEN
        CREATE ROLE audit_app NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another migration of another schema created it meanwhile
END $$;

-- The shared runtime code ensures its own tables (projection checkpoints, the trust read model)
-- with CREATE TABLE IF NOT EXISTS, which PostgreSQL checks against CREATE on the schema even
-- when the table exists: audit_app may create tables of its own, never alter the owner's.
-- Those tables, where they were created by the owner before this split, become audit_app's.
DO $$
DECLARE
    name text;
BEGIN
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO audit_app', current_schema());
    FOREACH name IN ARRAY ARRAY['projection_checkpoints', 'trust_policies', 'trust_users'] LOOP
        IF to_regclass(format('%I.%I', current_schema(), name)) IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I.%I OWNER TO audit_app', current_schema(), name);
        END IF;
    END LOOP;
END $$;
GRANT SELECT ON schema_migrations TO audit_app;  -- to see at start that every one is applied

-- When each organisation's trail was last signed: what the checkpointer asks every few seconds
ALTER TABLE audit_heads ADD COLUMN signed_size bigint NOT NULL DEFAULT 0,
                        ADD COLUMN signed_at timestamptz;
UPDATE audit_heads h SET signed_size = c.size, signed_at = c.issued_at
FROM (SELECT DISTINCT ON (tenant_id) tenant_id, size, issued_at FROM audit_checkpoints
      ORDER BY tenant_id, issued_at DESC) c
WHERE c.tenant_id = h.tenant_id;

REVOKE ALL ON audit_records, audit_checkpoints, audit_heads FROM PUBLIC;
GRANT SELECT, INSERT ON audit_records, audit_checkpoints, audit_heads TO audit_app;
-- appends move the head, checkpoints note their size; only a purge moves the lower bound
GRANT UPDATE (seq, chain_hash, signed_size, signed_at) ON audit_heads TO audit_app;

-- FORCE: the owner's own functions (audit_purge) are held to the organisation too. The heads
-- are not forced, so that audit_signing_status may list every organisation's.
ALTER TABLE audit_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_records FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_records_tenant ON audit_records
    USING (tenant_id = current_setting('interlude.tenant', true))
    WITH CHECK (tenant_id = current_setting('interlude.tenant', true));
CREATE POLICY audit_checkpoints_tenant ON audit_checkpoints
    USING (tenant_id = current_setting('interlude.tenant', true))
    WITH CHECK (tenant_id = current_setting('interlude.tenant', true));
CREATE POLICY audit_heads_tenant ON audit_heads
    USING (tenant_id = current_setting('interlude.tenant', true))
    WITH CHECK (tenant_id = current_setting('interlude.tenant', true));

-- The one read across organisations the running service makes: which trails are due for a
-- checkpoint. Sizes and times only.
CREATE FUNCTION audit_signing_status()
    RETURNS TABLE (tenant_id text, seq bigint, signed_size bigint, signed_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER
AS $$ SELECT h.tenant_id, h.seq, h.signed_size, h.signed_at FROM audit_heads h $$;

-- The retention purge, the only way records leave the trail, for the organisation of the
-- transaction: it deletes its records before new_lower_bound, only once the purge has recorded
-- itself (the record 'retention-purge:<bound>', at or after the bound) and a checkpoint states
-- the bound with the chain hash of the last record purged as its anchor. The signature cannot be
-- checked here; a forged checkpoint fails every verification. SECURITY DEFINER: it runs as the
-- owner, since audit_app may not delete.
CREATE FUNCTION audit_purge(new_lower_bound bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    tenant text := current_setting('interlude.tenant', true);
    head record;
    last_purged bytea;
    purged bigint;
BEGIN
    SELECT h.seq, h.lower_bound INTO head FROM audit_heads h WHERE h.tenant_id = tenant
        FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'organisation % has no trail to purge', tenant
            USING ERRCODE = 'check_violation';
    END IF;
    IF new_lower_bound <= head.lower_bound OR new_lower_bound > head.seq THEN
        RAISE EXCEPTION 'a purge to record % is outside the trail (records % to %)',
            new_lower_bound, head.lower_bound, head.seq USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT FROM audit_records r WHERE r.tenant_id = tenant
                   AND r.event_id = 'retention-purge:' || new_lower_bound
                   AND r.action = 'audit.RetentionPurged' AND r.seq >= new_lower_bound) THEN
        RAISE EXCEPTION 'the purge to record % has not recorded itself', new_lower_bound
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT r.chain_hash INTO last_purged FROM audit_records r
        WHERE r.tenant_id = tenant AND r.seq = new_lower_bound - 1;
    IF NOT EXISTS (SELECT FROM audit_checkpoints c WHERE c.tenant_id = tenant
                   AND c.size >= new_lower_bound
                   AND (convert_from(c.body, 'UTF8')::jsonb ->> 'lower_bound')::bigint
                       = new_lower_bound
                   AND convert_from(c.body, 'UTF8')::jsonb ->> 'anchor'
                       = encode(last_purged, 'hex')) THEN
        RAISE EXCEPTION 'no checkpoint states a purge to record %', new_lower_bound
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('interlude.audit_purge', new_lower_bound::text, true);
    DELETE FROM audit_records r WHERE r.tenant_id = tenant AND r.seq < new_lower_bound;
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('interlude.audit_purge', '', true);
    UPDATE audit_heads h SET lower_bound = new_lower_bound, anchor = last_purged
        WHERE h.tenant_id = tenant;
    RETURN purged;
END $$;

-- A definer function resolves names in its own schema, never in one its caller made first
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION audit_purge(bigint) SET search_path = pg_catalog, %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION audit_signing_status() SET search_path = pg_catalog, %I, '
                   'pg_temp', current_schema());
END $$;
REVOKE EXECUTE ON FUNCTION audit_purge(bigint), audit_signing_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_purge(bigint), audit_signing_status() TO audit_app;

-- Records and checkpoints are never changed or removed; the one exception is audit_purge's
-- delete of one organisation's records before the bound it has set for its own transaction.
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bound text := current_setting('interlude.audit_purge', true);
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_records' AND bound ~ '^[0-9]+$' THEN
        IF OLD.tenant_id = current_setting('interlude.tenant', true)
                AND OLD.seq < bound::bigint THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
