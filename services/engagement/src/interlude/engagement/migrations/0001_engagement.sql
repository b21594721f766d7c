-- engagement's read models. The ENGAGEMENT stream is the record; every table here is rebuilt
-- from it (and from IDENTITY and COMMUNITY for people and community activity). Coaching content
-- is kept sealed, exactly as it is in the events ({"event_id", "field", "sealed"}), and opened
-- only when a party reads it: these tables, and their backups, hold no coaching plaintext.

-- people of the organisation, from identity's events: their table comes from
-- interlude.shared.directory (ensure_table, at every start after the migrations). A database
-- migrated before that has the one this file made then (its sealed_people migration dropped it).

CREATE TABLE contracts (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    coach_id text NOT NULL,
    coachee_id text NOT NULL,
    sponsor_id text,
    status text NOT NULL,  -- proposed | active | ended
    programme text NOT NULL,
    terms jsonb NOT NULL,  -- the terms in force, or the proposed ones until activation
    terms_version int NOT NULL,
    pending_version int,  -- terms awaiting signatures
    signed_by text[] NOT NULL DEFAULT '{}',
    consents text[] NOT NULL DEFAULT '{}',
    proposed_at timestamptz NOT NULL,
    activated_at timestamptz,
    ended_at timestamptz,
    position bigint NOT NULL,
    PRIMARY KEY (tenant_id, contract_id)
);
CREATE INDEX contracts_coach ON contracts (tenant_id, coach_id);
CREATE INDEX contracts_coachee ON contracts (tenant_id, coachee_id);
CREATE INDEX contracts_sponsor ON contracts (tenant_id, sponsor_id);

CREATE TABLE sessions (
    tenant_id text NOT NULL,
    session_id text NOT NULL,
    contract_id text NOT NULL,
    coach_id text NOT NULL,
    coachee_id text NOT NULL,
    starts_at timestamptz NOT NULL,
    minutes int NOT NULL,
    mode text NOT NULL,
    status text NOT NULL,  -- scheduled | held | cancelled
    cancelled_by text,
    sequence int NOT NULL DEFAULT 0,  -- iCalendar SEQUENCE: bumped on every change
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX sessions_contract ON sessions (tenant_id, contract_id, starts_at);
CREATE INDEX sessions_coach ON sessions (tenant_id, coach_id);
CREATE INDEX sessions_coachee ON sessions (tenant_id, coachee_id);

CREATE TABLE checkins (
    tenant_id text NOT NULL,
    checkin_id text NOT NULL,
    contract_id text NOT NULL,
    coachee_id text NOT NULL,
    posted_at timestamptz NOT NULL,
    mood int,
    small_win boolean NOT NULL,
    goal_id text,
    experiment_id text,
    text jsonb,  -- sealed
    liked boolean NOT NULL DEFAULT false,
    questions jsonb NOT NULL DEFAULT '[]',  -- [{"at", "sealed": {...}}]
    position bigint NOT NULL,
    PRIMARY KEY (tenant_id, checkin_id)
);
CREATE INDEX checkins_contract ON checkins (tenant_id, contract_id, posted_at DESC);

CREATE TABLE messages (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    number int NOT NULL,
    message_id text NOT NULL,
    sender_id text NOT NULL,
    party text NOT NULL,
    coachee_id text NOT NULL,
    sent_at timestamptz NOT NULL,
    body jsonb,  -- sealed
    attachments jsonb NOT NULL DEFAULT '[]',
    counted boolean NOT NULL,
    billable boolean NOT NULL,
    PRIMARY KEY (tenant_id, contract_id, number)
);

CREATE TABLE thread_reads (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    party text NOT NULL,
    up_to int NOT NULL,
    read_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, contract_id, party)
);

CREATE TABLE goals (
    tenant_id text NOT NULL,
    goal_id text NOT NULL,
    contract_id text NOT NULL,
    coachee_id text NOT NULL,
    title jsonb,  -- sealed
    status text NOT NULL,
    progress int,
    notes jsonb NOT NULL DEFAULT '[]',  -- [{"at", "progress", "sealed": {...}}]
    set_by text NOT NULL,
    set_at timestamptz NOT NULL,
    closed_at timestamptz,
    PRIMARY KEY (tenant_id, goal_id)
);
CREATE INDEX goals_contract ON goals (tenant_id, contract_id, set_at);

CREATE TABLE experiments (
    tenant_id text NOT NULL,
    experiment_id text NOT NULL,
    contract_id text NOT NULL,
    coachee_id text NOT NULL,
    goal_id text,
    belief jsonb,  -- sealed, as are behaviour, result and learning
    behaviour jsonb,
    result jsonb,
    learning jsonb,
    planned_at timestamptz NOT NULL,
    reported_at timestamptz,
    PRIMARY KEY (tenant_id, experiment_id)
);
CREATE INDEX experiments_contract ON experiments (tenant_id, contract_id, planned_at);

-- a private calendar feed per person: the secret is in the URL, only its digest is kept
CREATE TABLE calendar_feeds (
    token_digest text PRIMARY KEY,
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (tenant_id, user_id)
);

-- the coach dashboard: one row per contract, facts only (no content, no names)
CREATE TABLE dashboard (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    coach_id text NOT NULL,
    coachee_id text NOT NULL,
    status text NOT NULL,
    reply_window_hours int NOT NULL DEFAULT 48,
    sessions_planned int NOT NULL DEFAULT 0,
    sessions_held int NOT NULL DEFAULT 0,
    checkins int NOT NULL DEFAULT 0,
    last_checkin_at timestamptz,
    last_checkin_day date,
    streak int NOT NULL DEFAULT 0,  -- consecutive days with a check-in, up to last_checkin_day
    small_wins int NOT NULL DEFAULT 0,
    last_mood int,
    unanswered int NOT NULL DEFAULT 0,  -- coachee messages since the coach last wrote
    oldest_waiting_at timestamptz,
    checkins_unacknowledged int NOT NULL DEFAULT 0,
    goals_open int NOT NULL DEFAULT 0,
    experiments_open int NOT NULL DEFAULT 0,
    position bigint NOT NULL,
    PRIMARY KEY (tenant_id, contract_id)
);
CREATE INDEX dashboard_coach ON dashboard (tenant_id, coach_id);

CREATE TABLE dashboard_sessions (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    session_id text NOT NULL,
    starts_at timestamptz NOT NULL,
    status text NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX dashboard_sessions_contract ON dashboard_sessions (tenant_id, contract_id);

CREATE TABLE dashboard_checkins (  -- which check-ins still await the coach's acknowledgement
    tenant_id text NOT NULL,
    checkin_id text NOT NULL,
    contract_id text NOT NULL,
    acknowledged boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, checkin_id)
);

-- community activity of coachees, from the COMMUNITY stream
CREATE TABLE dashboard_community (
    tenant_id text NOT NULL,
    event_id text NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,  -- post | comment | insight_pinned | insight_unpinned
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX dashboard_community_user ON dashboard_community (tenant_id, user_id, at);

-- sponsor figures: facts per contract the sponsor's view allows, grouped at query time
CREATE TABLE sponsor_contracts (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    sponsor_id text NOT NULL,
    coachee_id text NOT NULL,
    programme text NOT NULL,
    sponsor_view text NOT NULL,  -- none | attendance | goals
    status text NOT NULL,
    sessions_planned int NOT NULL DEFAULT 0,
    sessions_held int NOT NULL DEFAULT 0,
    sessions_missed int NOT NULL DEFAULT 0,  -- cancelled by the coachee
    goals_set int NOT NULL DEFAULT 0,
    goals_achieved int NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, contract_id)
);
CREATE INDEX sponsor_contracts_sponsor ON sponsor_contracts (tenant_id, sponsor_id);
