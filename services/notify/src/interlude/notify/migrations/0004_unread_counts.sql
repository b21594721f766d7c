-- Each person's unread count kept as their inbox is written, so the badge costs one row however
-- long the inbox has grown. Statement triggers over the rows each statement changed: one upsert
-- per recipient and statement, whatever writes the inbox (the reactions, the consumer, marking
-- read, a forgotten person's inbox emptied, a rebuild).
CREATE TABLE IF NOT EXISTS inbox_unread_counts (
    tenant_id text NOT NULL,
    recipient_id text NOT NULL,
    unread bigint NOT NULL,
    PRIMARY KEY (tenant_id, recipient_id)
);
INSERT INTO inbox_unread_counts (tenant_id, recipient_id, unread)
    SELECT tenant_id, recipient_id, count(*) FROM inbox WHERE read_at IS NULL
    GROUP BY tenant_id, recipient_id
    ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET unread = excluded.unread;

CREATE OR REPLACE FUNCTION inbox_unread_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- per recipient, the unread rows the statement added (+1) and took away (-1)
    IF TG_OP = 'INSERT' THEN
        INSERT INTO inbox_unread_counts AS u (tenant_id, recipient_id, unread)
            SELECT tenant_id, recipient_id, count(*) FROM added WHERE read_at IS NULL
            GROUP BY tenant_id, recipient_id
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET unread = u.unread + excluded.unread;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO inbox_unread_counts AS u (tenant_id, recipient_id, unread)
            SELECT tenant_id, recipient_id, sum(n) FROM (
                SELECT tenant_id, recipient_id, 1 AS n FROM added WHERE read_at IS NULL
                UNION ALL
                SELECT tenant_id, recipient_id, -1 FROM removed WHERE read_at IS NULL) c
            GROUP BY tenant_id, recipient_id HAVING sum(n) <> 0
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET unread = u.unread + excluded.unread;
    ELSE
        INSERT INTO inbox_unread_counts AS u (tenant_id, recipient_id, unread)
            SELECT tenant_id, recipient_id, -count(*) FROM removed WHERE read_at IS NULL
            GROUP BY tenant_id, recipient_id
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET unread = u.unread + excluded.unread;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER inbox_unread_added AFTER INSERT ON inbox
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION inbox_unread_counted();
CREATE OR REPLACE TRIGGER inbox_unread_changed AFTER UPDATE ON inbox
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_unread_counted();
CREATE OR REPLACE TRIGGER inbox_unread_removed AFTER DELETE ON inbox
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION inbox_unread_counted();
