-- The people directory read by pages of a person count, not of the organisation's size: pages
-- walk an index in the list's order (a keyset cursor, or an offset from the start), and the
-- total comes from counts kept as the directory's rows are written, not from count(*).
CREATE INDEX IF NOT EXISTS directory_users_listed
    ON directory_users (tenant_id, created_at, user_id);

CREATE TABLE directory_counts (
    tenant_id text NOT NULL,
    status text NOT NULL,
    people bigint NOT NULL,
    PRIMARY KEY (tenant_id, status)
);
INSERT INTO directory_counts (tenant_id, status, people)
    SELECT tenant_id, status, count(*) FROM directory_users GROUP BY tenant_id, status;

-- kept in the projection's transaction, whatever writes the row (its handlers, a rebuild's
-- DELETE); a status written again unchanged takes one off and puts it back
CREATE FUNCTION directory_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE directory_counts SET people = people - 1
            WHERE tenant_id = OLD.tenant_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO directory_counts (tenant_id, status, people)
            VALUES (NEW.tenant_id, NEW.status, 1)
            ON CONFLICT (tenant_id, status) DO UPDATE SET people = directory_counts.people + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER directory_users_counted AFTER INSERT OR DELETE OR UPDATE OF tenant_id, status
    ON directory_users FOR EACH ROW EXECUTE FUNCTION directory_counted();

-- SCIM's userName is not case-exact: the filter library compares UPPER(email_index) with
-- UPPER(value), which the plain index on email_index cannot answer (a scan of the organisation
-- per `userName eq`, what Entra ID and Okta ask before every provisioning).
CREATE INDEX IF NOT EXISTS directory_users_email_index_folded
    ON directory_users (tenant_id, upper(email_index));
