-- The audit trail: per organisation, records numbered 1..n without gaps, each holding the exact
-- canonical bytes that were hashed and its chain hash. audit is the only writer.

CREATE TABLE audit_records (
    tenant_id text NOT NULL,
    seq bigint NOT NULL,
    record bytea NOT NULL,          -- the canonical bytes that were hashed; never re-serialised
    chain_hash bytea NOT NULL,      -- SHA-256("interlude-audit-v1" || previous || SHA-256(record))
    occurred_at timestamptz NOT NULL,
    actor_id text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NOT NULL,
    data_subjects text[] NOT NULL,
    outcome text NOT NULL,
    event_id text NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, event_id)
);
CREATE INDEX audit_records_time ON audit_records (tenant_id, occurred_at);
CREATE INDEX audit_records_actor ON audit_records (tenant_id, actor_id, seq);
CREATE INDEX audit_records_subjects ON audit_records USING gin (data_subjects);
CREATE INDEX audit_records_action ON audit_records (tenant_id, action, seq);

-- the head of each organisation's chain: locked by every append, so appends for one
-- organisation are serialised while different organisations proceed in parallel
CREATE TABLE audit_heads (
    tenant_id text PRIMARY KEY,
    seq bigint NOT NULL,
    chain_hash bytea NOT NULL,
    lower_bound bigint NOT NULL DEFAULT 1,   -- first record kept after a retention purge
    anchor bytea NOT NULL                    -- chain hash of record lower_bound - 1 (genesis: 0s)
);

CREATE TABLE audit_checkpoints (
    tenant_id text NOT NULL,
    size bigint NOT NULL,
    body bytea NOT NULL,          -- the canonical signed bytes
    signature bytea NOT NULL,
    key_id text NOT NULL,
    issued_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, size, issued_at)  -- an idle hour re-signs the same size
);

-- records and checkpoints are never changed or removed, except by a retention purge that
-- sets interlude.audit_purge for its own transaction (and records itself first)
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('interlude.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
