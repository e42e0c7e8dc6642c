-- Migration 2: accounts, login sessions and the audit log (xzcore/auth.py, xzcore/audit.py).
CREATE TABLE users (
    username        VARCHAR PRIMARY KEY,             -- lower case; 'cli:…' is reserved for the CLI
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL CHECK (role IN ('viewer', 'staff', 'office', 'admin')),
    units           VARCHAR[] NOT NULL DEFAULT [],   -- 责任单位 a staff member may upload for
    email           VARCHAR UNIQUE,                  -- matches a single sign-on identity
    password_hash   VARCHAR NOT NULL,                -- argon2id, salt and cost inside; never the password
    disabled        BOOLEAN NOT NULL DEFAULT false,
    failed_count    INTEGER NOT NULL DEFAULT 0,      -- failed logins in a row
    locked_until    TIMESTAMP,
    last_login      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);

-- A browser's login: only the SHA-256 of its token is kept, so a copy of the file logs nobody in.
CREATE TABLE sessions (
    token_sha256    VARCHAR PRIMARY KEY,
    username        VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL
);

CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    "at"        TIMESTAMP NOT NULL,      -- quoted: AT is a keyword in DuckDB 2.0
    actor       VARCHAR,            -- username (or the name typed at a failed login); NULL: nobody
    actor_name  VARCHAR,            -- display name at the time
    role        VARCHAR,
    action      VARCHAR NOT NULL,   -- a key of xzcore.audit.ACTIONS
    detail      JSON
);
