-- A SCIM externalId is a person's data too: Entra ID and Okta may send the e-mail address, or
-- an alias built from the name, as externalId. The directory keeps it sealed under the
-- person's key, as the events do from UserProvisioned and ProfileChanged v2 on
-- ({"event_id", "field", "sealed"}), beside a blind index (HMAC-SHA256 under a key derived per
-- organisation, not case-folded: externalId is caseExact) that answers `externalId eq`.
--
-- The plaintext column goes; the directory is emptied and its projection replays the IDENTITY
-- stream from the start (a v1 event's external id in clear is sealed as it is projected).
DROP INDEX IF EXISTS directory_users_external;
ALTER TABLE directory_users DROP COLUMN external_id;
ALTER TABLE directory_users ADD COLUMN external_id jsonb;  -- sealed
ALTER TABLE directory_users ADD COLUMN external_id_index text;
CREATE INDEX directory_users_external_id_index ON directory_users (tenant_id, external_id_index);
TRUNCATE directory_users, directory_groups, directory_organisations;
DO $$
BEGIN
    IF to_regclass('projection_checkpoints') IS NOT NULL THEN
        UPDATE projection_checkpoints SET position = 0 WHERE projection = 'identity-directory';
    END IF;
END
$$;
