-- audit_purge looks for the checkpoint that states the purge's bound by parsing checkpoint
-- bodies. A body a superuser overwrote with bytes that are not JSON (or not UTF-8) made that
-- parse fail for the whole statement, and with it every later purge (a database error). Now
-- each body is parsed on its own, newest first, and one out of shape states nothing (the
-- verifier names it: bad-checkpoint). Otherwise unchanged from 0002.
CREATE OR REPLACE FUNCTION audit_purge(new_lower_bound bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
AS $$
DECLARE
    tenant text := current_setting('interlude.tenant', true);
    head record;
    last_purged bytea;
    purged bigint;
    candidate bytea;
    stated boolean := false;
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
    FOR candidate IN SELECT c.body FROM audit_checkpoints c
                     WHERE c.tenant_id = tenant AND c.size >= new_lower_bound
                     ORDER BY c.size DESC LOOP
        BEGIN
            stated := (convert_from(candidate, 'UTF8')::jsonb ->> 'lower_bound')::bigint
                          = new_lower_bound
                      AND convert_from(candidate, 'UTF8')::jsonb ->> 'anchor'
                          = encode(last_purged, 'hex');
        EXCEPTION WHEN others THEN
            stated := false;  -- a body out of shape states nothing
        END;
        EXIT WHEN stated;
    END LOOP;
    IF NOT coalesce(stated, false) THEN
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

-- CREATE OR REPLACE keeps the grants but not the settings: the search path again
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION audit_purge(bigint) SET search_path = pg_catalog, %I, pg_temp',
                   current_schema());
END $$;
