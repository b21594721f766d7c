-- A member of a pseudonymous space may step out of their pseudonym, to one peer or to the
-- whole space, and step back (community.MemberSteppedOut / MemberSteppedBack). The views keep
-- to whom, so a reader's page shows the name only where the member chose.
ALTER TABLE members ADD COLUMN open_to_all boolean NOT NULL DEFAULT false;
ALTER TABLE members ADD COLUMN open_to text[] NOT NULL DEFAULT '{}';  -- peers' user ids
