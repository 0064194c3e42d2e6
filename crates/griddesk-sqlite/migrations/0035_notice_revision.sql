-- A notice that one outage may send more than once (each new restoration time) is one batch
-- per step: the revision is the outage version that step made, 0 for once-only purposes.
-- SQLite cannot change a table's UNIQUE constraint in place, and migrations run in a
-- transaction with foreign keys on, so both outbox tables are rebuilt: the messages are kept
-- aside in a plain copy, the batches rebuilt, then the messages restored under their ids.
CREATE TABLE notice_batch_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    outage_id  INTEGER NOT NULL REFERENCES outage (id),
    purpose    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    revision   INTEGER NOT NULL DEFAULT 0,
    body       TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    -- Enqueueing twice (a retried request, a second instance) adds nothing.
    UNIQUE (outage_id, purpose, channel, revision)
);
INSERT INTO notice_batch_new (id, outage_id, purpose, channel, revision, body, created_us)
    SELECT id, outage_id, purpose, channel, 0, body, created_us FROM notice_batch;
CREATE TABLE notice_kept AS SELECT * FROM notice;
DROP TABLE notice;
DROP TABLE notice_batch;
ALTER TABLE notice_batch_new RENAME TO notice_batch;

CREATE TABLE notice (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id    INTEGER NOT NULL REFERENCES notice_batch (id),
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    -- Phone number or address in clear: the channel needs it. Never shown unmasked.
    recipient   TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    -- When a pending message is due (first send or next retry).
    next_us     INTEGER NOT NULL,
    -- The dispatcher holding a message being sent, and until when.
    holder      TEXT,
    lease_us    INTEGER,
    sent_us     INTEGER,
    error       TEXT,
    UNIQUE (batch_id, customer_no)
);
INSERT INTO notice (id, batch_id, customer_no, recipient, status, attempts, next_us, holder,
        lease_us, sent_us, error)
    SELECT id, batch_id, customer_no, recipient, status, attempts, next_us, holder, lease_us,
        sent_us, error FROM notice_kept;
DROP TABLE notice_kept;
CREATE INDEX notice_due ON notice (status, next_us) WHERE status IN ('pending', 'sending');
CREATE INDEX notice_customer ON notice (customer_no);
