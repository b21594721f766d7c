-- A member who left a space (or was removed, or forgotten) is no longer told of its news.
ALTER TABLE members ADD COLUMN IF NOT EXISTS gone boolean NOT NULL DEFAULT false;

-- Notifications expire (app/retention.py): per organisation, what its last round removed,
-- everything of before ``expired_before``: a notification of that age seen again (a rebuild,
-- a replay) is not kept again. (No index on the inbox's age: the hourly round scans it once,
-- and the live inbox's writes stay as cheap as they were.)
CREATE TABLE IF NOT EXISTS retention (
    tenant_id      text PRIMARY KEY,
    expired_before timestamptz NOT NULL,
    applied_at     timestamptz NOT NULL
);
