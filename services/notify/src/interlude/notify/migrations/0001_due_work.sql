-- Work that falls due later: a held e-mail after quiet hours, a digest, a retry with backoff, a
-- session reminder, an overdue reply, a webhook delivery. One table, so every timer of notify
-- survives a restart the same way (ADR 0009). Rows hold references, never content.
CREATE TABLE IF NOT EXISTS due_work (
    work_id       text PRIMARY KEY,          -- chosen by the scheduler: scheduling is idempotent
    tenant_id     text NOT NULL,
    kind          text NOT NULL,             -- who handles it: 'email', 'webhook', 'reminder', ...
    due_at        timestamptz NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    attempts      integer NOT NULL DEFAULT 0,
    claimed_until timestamptz,               -- a worker holds it until then (a crash frees it)
    done_at       timestamptz,
    cancelled_at  timestamptz,
    cancel_reason text
);
CREATE INDEX IF NOT EXISTS due_work_pending ON due_work (kind, due_at)
    WHERE done_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX IF NOT EXISTS due_work_tenant ON due_work (tenant_id, kind)
    WHERE done_at IS NULL AND cancelled_at IS NULL;
