-- identity's own tables. The events in the IDENTITY stream are the record of who is who; these
-- tables are the directory read model (rebuildable) and the operational state of signing in,
-- which is not coaching history and is not event-sourced (see docs/adr/0002).

CREATE TABLE directory_users (
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    email text,
    display_name text,
    roles text[] NOT NULL DEFAULT '{}',
    status text NOT NULL,
    source text NOT NULL DEFAULT '',
    external_id text,
    mfa boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX directory_users_email ON directory_users (tenant_id, lower(email));
CREATE INDEX directory_users_external ON directory_users (tenant_id, external_id);

CREATE TABLE directory_groups (
    tenant_id text NOT NULL,
    group_id text NOT NULL,
    display_name text NOT NULL,
    external_id text,
    members text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    PRIMARY KEY (tenant_id, group_id)
);

CREATE TABLE directory_organisations (
    tenant_id text PRIMARY KEY,
    name text NOT NULL,
    policy_version int NOT NULL,
    sso_issuer text,
    created_at timestamptz NOT NULL
);

-- Ed25519 keys that sign access tokens; the private key is encrypted with a key derived from
-- the master secret. A retired key stays published until the tokens it signed have expired.
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    private_key bytea NOT NULL,
    public_jwk jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);

-- rotating refresh tokens: each use marks the token used and issues the next of its family;
-- a used token presented again revokes the whole family (it was stolen, or replayed)
CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    family_id text NOT NULL,
    tenant_id text NOT NULL,
    user_id text NOT NULL,
    amr text[] NOT NULL,
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (tenant_id, user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- failed sign-ins per account and per source address
CREATE TABLE login_throttle (
    key text PRIMARY KEY,
    failures int NOT NULL,
    window_started timestamptz NOT NULL,
    locked_until timestamptz
);

-- one-time tickets: enrol a second factor before the first sign-in (when policy requires it),
-- and the state of a single sign-on round trip (PKCE verifier, nonce)
CREATE TABLE login_tickets (
    ticket_hash text PRIMARY KEY,
    purpose text NOT NULL,
    tenant_id text NOT NULL,
    data jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);

-- the last TOTP time step used per user, so that a code cannot be replayed
CREATE TABLE totp_last_step (
    user_id text PRIMARY KEY,
    step bigint NOT NULL
);
