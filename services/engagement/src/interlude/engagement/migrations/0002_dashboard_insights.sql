-- insights a coach pinned in the community, for the author's record on the coach dashboard
-- (from the COMMUNITY stream); the coach's note stays sealed for the author, as in the event
CREATE TABLE dashboard_insights (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    user_id text NOT NULL,   -- the author
    coach_id text NOT NULL,
    space_id text NOT NULL,
    note jsonb,
    pinned_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, post_id)
);
CREATE INDEX dashboard_insights_coach ON dashboard_insights (tenant_id, coach_id, pinned_at);
