-- Materials a coach shares with a coachee (engagement.MaterialShared / Opened / Done): sealed
-- like all coaching content, with when they were opened and done for the coach's dashboard.
CREATE TABLE materials (
    tenant_id text NOT NULL,
    material_id text NOT NULL,
    contract_id text NOT NULL,
    coachee_id text NOT NULL,
    kind text NOT NULL,
    title jsonb,       -- sealed, as are url, note and reflection
    url jsonb,
    note jsonb,
    reflection jsonb,
    shared_at timestamptz NOT NULL,
    opened_at timestamptz,
    done_at timestamptz,
    PRIMARY KEY (tenant_id, material_id)
);
CREATE INDEX materials_contract ON materials (tenant_id, contract_id, shared_at DESC);

ALTER TABLE dashboard ADD COLUMN materials_shared int NOT NULL DEFAULT 0;
ALTER TABLE dashboard ADD COLUMN materials_opened int NOT NULL DEFAULT 0;
ALTER TABLE dashboard ADD COLUMN materials_done int NOT NULL DEFAULT 0;
