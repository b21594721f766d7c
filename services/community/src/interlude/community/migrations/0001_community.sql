-- community's read models, rebuilt from its stream (and from IDENTITY for people, ENGAGEMENT
-- for contracts and consents). Content is kept sealed exactly as it is in the events
-- ({"event_id", "field", "sealed"}) and opened only for a member's read: these tables, and
-- their backups, hold no post, comment or note in plaintext.

-- people of the organisation, from identity's events: their table comes from
-- interlude.shared.directory (ensure_table, at every start after the migrations). A database
-- migrated before that has the one this file made then (its sealed_people migration dropped it).

-- engagement's contracts as far as community cares: who may join a coach's spaces, and the
-- coachee's consents to pins, tags and shares
CREATE TABLE contracts (
    tenant_id text NOT NULL,
    contract_id text NOT NULL,
    coach_id text NOT NULL,
    coachee_id text NOT NULL,
    active boolean NOT NULL,
    community boolean NOT NULL,
    community_space text,  -- NULL: any of the coach's spaces
    pin_insights boolean NOT NULL,
    peer_tagging boolean NOT NULL,
    share_posts boolean NOT NULL,
    PRIMARY KEY (tenant_id, contract_id)
);
CREATE INDEX contracts_pair ON contracts (tenant_id, coach_id, coachee_id) WHERE active;

CREATE TABLE spaces (
    tenant_id text NOT NULL,
    space_id text NOT NULL,
    coach_id text NOT NULL,
    kind text NOT NULL,  -- cohort | peer_circle
    name text NOT NULL,
    description text NOT NULL,
    pseudonymous boolean NOT NULL,
    slow_mode_s integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, space_id)
);

CREATE TABLE members (
    tenant_id text NOT NULL,
    space_id text NOT NULL,
    user_id text NOT NULL,
    handle text,  -- set on joining
    pseudonym text,
    status text NOT NULL,  -- invited | joined | left | forgotten
    role text NOT NULL DEFAULT 'member',  -- coach | member
    revealed boolean NOT NULL DEFAULT false,  -- the coach knows who is behind the pseudonym
    joined_at timestamptz,
    read_up_to timestamptz NOT NULL DEFAULT '-infinity',
    PRIMARY KEY (tenant_id, space_id, user_id)
);
CREATE UNIQUE INDEX members_handle ON members (tenant_id, space_id, handle);
CREATE INDEX members_user ON members (tenant_id, user_id);

CREATE TABLE posts (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    space_id text NOT NULL,
    author_id text NOT NULL,
    kind text NOT NULL,
    body jsonb,  -- sealed; NULL once the author is forgotten
    withdrawn boolean NOT NULL DEFAULT false,
    hidden boolean NOT NULL DEFAULT false,
    hidden_by text,  -- coach | reports
    reports integer NOT NULL DEFAULT 0,
    pinned_at timestamptz,
    pin_note jsonb,  -- sealed for the author
    comments integer NOT NULL DEFAULT 0,
    shares integer NOT NULL DEFAULT 0,
    reactions jsonb NOT NULL DEFAULT '{}',  -- reaction -> count
    rehearsal_id text,
    published_at timestamptz NOT NULL,
    edited_at timestamptz,
    feed_at timestamptz NOT NULL,  -- published, or last shared: where it stands in the feed
    PRIMARY KEY (tenant_id, post_id)
);
CREATE INDEX posts_feed ON posts (tenant_id, space_id, feed_at DESC, post_id DESC)
    WHERE NOT withdrawn;
CREATE INDEX posts_pinned ON posts (tenant_id, space_id) WHERE pinned_at IS NOT NULL;
CREATE INDEX posts_author ON posts (tenant_id, author_id, space_id, published_at DESC);

CREATE TABLE comments (
    tenant_id text NOT NULL,
    comment_id text NOT NULL,
    post_id text NOT NULL,
    space_id text NOT NULL,
    author_id text NOT NULL,
    parent_id text,
    body jsonb,
    withdrawn boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, comment_id)
);
CREATE INDEX comments_post ON comments (tenant_id, post_id, created_at);

CREATE TABLE reactions (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    user_id text NOT NULL,
    reaction text NOT NULL,
    PRIMARY KEY (tenant_id, post_id, user_id, reaction)
);

CREATE TABLE tags (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    tagged_id text NOT NULL,
    tagged_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, post_id, tagged_id)
);

CREATE TABLE shares (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    shared_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, post_id, shared_by)
);

CREATE TABLE reports (
    tenant_id text NOT NULL,
    post_id text NOT NULL,
    reporter_id text NOT NULL,
    reason jsonb,  -- sealed for the reporter
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, post_id, reporter_id, at)
);

CREATE TABLE rehearsals (
    tenant_id text NOT NULL,
    rehearsal_id text NOT NULL,
    space_id text NOT NULL,
    author_id text NOT NULL,
    coach_id text NOT NULL,
    kind text NOT NULL,
    body jsonb,
    feedback jsonb NOT NULL DEFAULT '[]',  -- [{"at", "body": sealed}]
    status text NOT NULL,  -- drafted | published | dropped
    post_id text,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, rehearsal_id)
);
CREATE INDEX rehearsals_space ON rehearsals (tenant_id, space_id, updated_at DESC);

-- what a member is told: who did what, rendered when read (so a forgotten actor shows as a
-- former member, and a pseudonymous one only by pseudonym)
CREATE TABLE notices (
    tenant_id text NOT NULL,
    notice_id text NOT NULL,
    user_id text NOT NULL,
    kind text NOT NULL,
    space_id text NOT NULL,
    post_id text,
    actor_id text,
    detail jsonb,  -- sealed for the recipient (a reveal's reason)
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, notice_id)
);
CREATE INDEX notices_user ON notices (tenant_id, user_id, at DESC);
