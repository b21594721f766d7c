-- Coaches' peer circles that find each other: what a circle is about (methodology, client
-- challenges, context) and whether coaches of the organisation may find it and ask to join;
-- a request waits as a member row with status 'asked' (and its sealed note) until a member
-- admits or declines it.
ALTER TABLE spaces ADD COLUMN methodology text NOT NULL DEFAULT '';
ALTER TABLE spaces ADD COLUMN challenges text[] NOT NULL DEFAULT '{}';
ALTER TABLE spaces ADD COLUMN context text NOT NULL DEFAULT '';
ALTER TABLE spaces ADD COLUMN findable boolean NOT NULL DEFAULT false;
CREATE INDEX spaces_findable ON spaces (tenant_id) WHERE findable;
ALTER TABLE members ADD COLUMN request_note jsonb;  -- sealed for the coach who asked
ALTER TABLE members ADD COLUMN asked_at timestamptz;
