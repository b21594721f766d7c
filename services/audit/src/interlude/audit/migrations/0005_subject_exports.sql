-- A person's exports (subject access, GDPR articles 15 and 20): the archive sealed under the
-- person's key (their erasure makes it unreadable), kept until it expires, downloadable only
-- by whoever asked for it. Scoped to one organisation per transaction, as the trail is.

CREATE TABLE subject_exports (
    tenant_id text NOT NULL,
    export_id text NOT NULL,
    subject_id text NOT NULL,        -- whose data
    requester_id text NOT NULL,      -- who asked (the person, or a compliance officer for them)
    reason text,                     -- an officer's reason (also in the trail)
    requested_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    sections text[] NOT NULL,        -- the services that answered
    missing jsonb NOT NULL,          -- the services that did not, and why
    size_bytes bigint NOT NULL,
    archive jsonb NOT NULL,          -- sealed: the ZIP, under the subject's key
    PRIMARY KEY (tenant_id, export_id)
);
CREATE INDEX subject_exports_requester ON subject_exports (tenant_id, requester_id, requested_at);
CREATE INDEX subject_exports_expiry ON subject_exports (expires_at);

-- enabled, not forced: audit_app sees one organisation a transaction, the owner's expiry
-- function below sees every one
ALTER TABLE subject_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY subject_exports_tenant ON subject_exports
    USING (tenant_id = current_setting('interlude.tenant', true))
    WITH CHECK (tenant_id = current_setting('interlude.tenant', true));

REVOKE ALL ON subject_exports FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON subject_exports TO audit_app;

-- The retention job's one reach across organisations: remove every expired export, and say
-- how many went per organisation.
CREATE FUNCTION subject_exports_expire(now timestamptz)
    RETURNS TABLE (tenant_id text, removed bigint)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    WITH gone AS (DELETE FROM subject_exports e WHERE e.expires_at <= now
                  RETURNING e.tenant_id)
    SELECT gone.tenant_id, count(*) FROM gone GROUP BY gone.tenant_id
$$;
REVOKE ALL ON FUNCTION subject_exports_expire(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION subject_exports_expire(timestamptz) TO audit_app;
