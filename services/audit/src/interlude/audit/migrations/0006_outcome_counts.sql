-- The trail's counts by outcome, kept on the head as records are appended, so the officer's
-- unfiltered query answers its counts from one row instead of counting a long trail at read
-- time. Records are numbered without gaps from lower_bound to seq, so the head holds only the
-- denied ones: succeeded = seq - lower_bound + 1 - denied. A purge takes the denied records it
-- removes off the count (the statement trigger below), so audit_purge itself is unchanged.
ALTER TABLE audit_heads ADD COLUMN denied bigint NOT NULL DEFAULT 0;
GRANT UPDATE (denied) ON audit_heads TO audit_app;

-- the trails kept so far: counted once here, one organisation at a time (the records are under
-- forced row-level security, which holds the owner to the organisation it names)
DO $$
DECLARE
    tenant text;
BEGIN
    FOR tenant IN SELECT h.tenant_id FROM audit_heads h LOOP
        PERFORM set_config('interlude.tenant', tenant, true);
        UPDATE audit_heads h SET denied = (SELECT count(*) FROM audit_records r
                                           WHERE r.tenant_id = tenant AND r.outcome = 'denied')
            WHERE h.tenant_id = tenant;
    END LOOP;
    PERFORM set_config('interlude.tenant', '', true);
END $$;

CREATE FUNCTION audit_purged_denied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE audit_heads h SET denied = h.denied - g.n
        FROM (SELECT tenant_id, count(*) AS n FROM purged WHERE outcome = 'denied'
              GROUP BY tenant_id) g
        WHERE h.tenant_id = g.tenant_id;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_records_purged AFTER DELETE ON audit_records
    REFERENCING OLD TABLE AS purged FOR EACH STATEMENT EXECUTE FUNCTION audit_purged_denied();
