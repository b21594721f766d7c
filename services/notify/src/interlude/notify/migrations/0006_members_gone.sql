-- A member who left a space (or was removed, or forgotten) is no longer told of its news.
ALTER TABLE members ADD COLUMN IF NOT EXISTS gone boolean NOT NULL DEFAULT false;
