-- The in-app inbox and the read models notify decides "who is told what" from. Every row holds
-- references, plaintext that is not anyone's content (kinds, ids, pseudonyms, terms), and
-- sealed values ({"event_id", "field", "sealed"}) opened only for the recipient (ADR 0009).

-- one row per notification kept in someone's inbox (a projection of the NOTIFY stream)
CREATE TABLE IF NOT EXISTS inbox (
    tenant_id text NOT NULL,
    notification_id text NOT NULL,
    recipient_id text NOT NULL,
    seq bigint NOT NULL,             -- the stream position of its NotificationQueued: orders it
    kind text NOT NULL,
    cause_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id text,
    actor_pseudonym text,            -- set in a pseudonymous space: the only name ever shown
    contract_id text,
    space_id text,
    item_id text,
    link text NOT NULL,
    topic jsonb,                     -- sealed
    excerpt jsonb,                   -- sealed
    read_at timestamptz,
    PRIMARY KEY (tenant_id, notification_id)
);
CREATE INDEX IF NOT EXISTS inbox_recipient ON inbox (tenant_id, recipient_id, seq DESC);
CREATE INDEX IF NOT EXISTS inbox_unread ON inbox (tenant_id, recipient_id) WHERE read_at IS NULL;

-- engagement's contracts as notify needs them: the parties and the terms that decide (channels,
-- allowance and reply window, quiet hours); terms carry no one's content
CREATE TABLE IF NOT EXISTS contracts (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    coach_id text NOT NULL,
    coachee_id text NOT NULL,
    sponsor_id text,
    active boolean NOT NULL DEFAULT false,
    ended boolean NOT NULL DEFAULT false,
    terms jsonb NOT NULL,
    PRIMARY KEY (tenant_id, contract_id)
);
-- coach replies counted per contract and month (the allowance nearly used)
CREATE TABLE IF NOT EXISTS allowance_used (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    month text NOT NULL,
    used integer NOT NULL,
    PRIMARY KEY (tenant_id, contract_id, month)
);
CREATE TABLE IF NOT EXISTS sessions (
    tenant_id text NOT NULL,
    session_id text NOT NULL,
    contract_id text NOT NULL,
    starts_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);

-- community's spaces as notify needs them: who is in which space under which pseudonym, and
-- whose posts and comments are whose (a reaction or a reply names only the post or comment)
CREATE TABLE IF NOT EXISTS spaces (
    tenant_id text NOT NULL,
    space_id text NOT NULL,
    coach_id text NOT NULL,
    name text NOT NULL,
    pseudonymous boolean NOT NULL,
    PRIMARY KEY (tenant_id, space_id)
);
CREATE TABLE IF NOT EXISTS members (
    tenant_id text NOT NULL,
    space_id text NOT NULL,
    user_id text NOT NULL,
    pseudonym text,
    PRIMARY KEY (tenant_id, space_id, user_id)
);
CREATE TABLE IF NOT EXISTS posts (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    space_id text NOT NULL,
    author_id text NOT NULL,
    PRIMARY KEY (tenant_id, post_id)
);
CREATE TABLE IF NOT EXISTS comments (
    tenant_id text NOT NULL,
    comment_id text NOT NULL,
    author_id text NOT NULL,
    PRIMARY KEY (tenant_id, comment_id)
);
