-- Materials a space's coach shares with its members (community.CohortMaterialShared / Opened /
-- Done): title, link and note sealed for the coach like all content; when each member opened
-- it and marked it done, for the coach's view.
CREATE TABLE cohort_materials (
    tenant_id text NOT NULL,
    material_id text NOT NULL,
    space_id text NOT NULL,
    coach_id text NOT NULL,
    kind text NOT NULL,
    title jsonb,  -- sealed, as are url and note
    url jsonb,
    note jsonb,
    shared_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, material_id)
);
CREATE INDEX cohort_materials_space ON cohort_materials (tenant_id, space_id, shared_at DESC);

CREATE TABLE cohort_material_progress (
    tenant_id text NOT NULL,
    material_id text NOT NULL,
    user_id text NOT NULL,
    opened_at timestamptz,
    done_at timestamptz,
    PRIMARY KEY (tenant_id, material_id, user_id)
);
