-- A member who left a space (or was removed, or forgotten) is no longer told of its news.
ALTER TABLE members ADD COLUMN IF NOT EXISTS gone boolean NOT NULL DEFAULT false;

-- Notifications expire (app/retention.py): the age the retention job looks up by, and per
-- organisation what its last round removed, everything of before ``expired_before``: a
-- notification of that age seen again (a rebuild, a replay) is not kept again.
CREATE INDEX IF NOT EXISTS inbox_age ON inbox (tenant_id, occurred_at);
CREATE TABLE IF NOT EXISTS retention (
    tenant_id      text PRIMARY KEY,
    expired_before timestamptz NOT NULL,
    applied_at     timestamptz NOT NULL
);
