-- Access control and the audit trail (issue 3, domain D12). Times are microseconds since the
-- epoch (UTC) in INTEGER columns, the same on both backends, so one SQL text serves both
-- (griddesk_store::access). Secrets (passwords, session ids, tokens, one-time codes) are stored
-- only as hashes.

CREATE TABLE staff_credential (
    login           TEXT PRIMARY KEY NOT NULL REFERENCES staff (login),
    -- argon2id PHC string
    password_hash   TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_us INTEGER,
    changed_us      INTEGER NOT NULL
);

CREATE TABLE session (
    -- SHA-256 of the session id sent in the cookie
    id_hash    TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('staff', 'customer')),
    subject    TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    expires_us INTEGER NOT NULL
);
CREATE INDEX session_expires ON session (expires_us);

CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    org_unit   TEXT NOT NULL REFERENCES org_unit (code),
    created_by TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    expires_us INTEGER,
    revoked_us INTEGER
);

CREATE TABLE customer_otp (
    customer_no TEXT PRIMARY KEY NOT NULL REFERENCES customer (customer_no),
    code_hash   TEXT NOT NULL,
    created_us  INTEGER NOT NULL,
    expires_us  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at_us       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    role        TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target      TEXT NOT NULL,
    reason      TEXT,
    source      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at_us);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_target ON audit_log (target_kind, target, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- The audit trail is append-only, also for anyone with a database connection.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
