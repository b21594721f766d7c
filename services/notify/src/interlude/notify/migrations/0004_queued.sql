-- Who was told what, stored by the reactions in the transaction that decides it (ADR 0009,
-- "fan-out"): one row per notification (cause and recipient), idempotent by its id, with the
-- inbox row beside it; recorded as NotificationQueued in notify's stream right after commit.
-- Content stays sealed as the cause holds it ({"event_id", "field", "sealed"}).
CREATE TABLE IF NOT EXISTS queued (
    tenant_id       text NOT NULL,
    notification_id text NOT NULL,
    number          bigint GENERATED ALWAYS AS IDENTITY,  -- the order to record them in
    recipient_id    text NOT NULL,
    kind            text NOT NULL,
    cause_id        text NOT NULL,
    cause_type      text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    correlation_id  text,
    actor_id        text,
    actor_pseudonym text,
    contract_id     text,
    space_id        text,
    item_id         text,
    link            text NOT NULL,
    topic           jsonb,              -- sealed
    excerpt         jsonb,              -- sealed
    quiet_hours     jsonb,
    recorded        boolean NOT NULL DEFAULT false,  -- its NotificationQueued is in the stream
    PRIMARY KEY (tenant_id, notification_id)
);
CREATE INDEX IF NOT EXISTS queued_unrecorded ON queued (number) WHERE NOT recorded;

-- the inbox's order: rows come from several transactions now (each consumer's reactions, the
-- timers, a rebuild from notify's stream), so a row takes its seq under a lock held to commit
-- (pg_advisory_xact_lock): seqs are committed in order, as a live stream reads them
CREATE SEQUENCE IF NOT EXISTS inbox_seq;
SELECT setval('inbox_seq', greatest(coalesce((SELECT max(seq) FROM inbox), 0), 1));
