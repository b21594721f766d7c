-- The outbound side: preferences, where mail goes, what is queued for e-mail, the events the
-- senders still owe the stream, and the organisations' webhooks. Content stays sealed here
-- (jsonb {event_id, field, sealed}); an address is sealed too and opened only to send.
CREATE TABLE IF NOT EXISTS preferences (
    tenant_id   text NOT NULL,
    user_id     text NOT NULL,
    email       jsonb NOT NULL DEFAULT '{}'::jsonb,  -- kind -> timing, where not the default
    quiet_hours jsonb,
    time_zone   text NOT NULL DEFAULT 'UTC',
    digest_hour integer NOT NULL DEFAULT 8,
    position    bigint NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE IF NOT EXISTS email_addresses (
    tenant_id text NOT NULL,
    user_id   text NOT NULL,
    address   jsonb NOT NULL,  -- sealed under the person's key
    PRIMARY KEY (tenant_id, user_id)
);

-- one row per notification to be e-mailed; never emptied by a rebuild (it would send again)
CREATE TABLE IF NOT EXISTS outbox (
    tenant_id       text NOT NULL,
    notification_id text NOT NULL,
    recipient_id    text NOT NULL,
    kind            text NOT NULL,
    due_at          timestamptz NOT NULL,
    queued_at       timestamptz NOT NULL,  -- when the notification was queued (its event's time)
    status          text NOT NULL DEFAULT 'pending',  -- pending | sent | failed | cancelled
    batch_id        text,                  -- the message it goes in, fixed once chosen
    detail          jsonb NOT NULL,        -- references, the pseudonym, sealed topic and excerpt
    PRIMARY KEY (tenant_id, notification_id)
);
CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox (tenant_id, recipient_id, due_at)
    WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_batch ON outbox (batch_id) WHERE batch_id IS NOT NULL;

-- events a sender decided in a transaction of its own, appended to the stream afterwards
-- (a crash in between appends them at the next start: none is lost, none is made twice)
CREATE TABLE IF NOT EXISTS owed_events (
    key          text PRIMARY KEY,  -- the append's idempotency key
    tenant_id    text NOT NULL,
    aggregate    text NOT NULL,     -- 'notification' | 'webhook_delivery'
    aggregate_id text NOT NULL,
    type         text NOT NULL,
    payload      jsonb NOT NULL,    -- ids, channel, reason: never content
    created_at   timestamptz NOT NULL,
    appended_at  timestamptz
);
CREATE INDEX IF NOT EXISTS owed_events_waiting ON owed_events (created_at)
    WHERE appended_at IS NULL;

CREATE TABLE IF NOT EXISTS webhook_endpoints (
    tenant_id   text NOT NULL,
    endpoint_id text NOT NULL,
    url         text NOT NULL,
    kinds       text[] NOT NULL,
    secrets     jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{secret: sealed, valid_until}]
    removed     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, endpoint_id)
);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
    tenant_id       text NOT NULL,
    delivery_id     text NOT NULL,
    endpoint_id     text NOT NULL,
    notification_id text NOT NULL,
    kind            text NOT NULL,
    detail          jsonb NOT NULL,   -- references and sealed content, as in outbox
    status          text NOT NULL DEFAULT 'pending',  -- pending | delivered | dead | cancelled
    attempts        integer NOT NULL DEFAULT 0,
    replays         integer NOT NULL DEFAULT 0,
    last_reason     text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, delivery_id)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_dead ON webhook_deliveries (tenant_id, updated_at)
    WHERE status = 'dead';
