-- Materials shared with a space, and peer circles across organisations.
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

-- Peer circles across organisations (ADR 0015): a coach of another organisation asking to
-- join, invited to or in a circle has their member row in the circle's organisation, naming
-- their own (home_tenant); NULL for everyone of the circle's organisation.
ALTER TABLE members ADD COLUMN home_tenant text;
CREATE INDEX members_guests ON members (user_id, home_tenant) WHERE home_tenant IS NOT NULL;
CREATE INDEX spaces_by_id ON spaces (space_id);
