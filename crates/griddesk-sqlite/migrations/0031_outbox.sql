-- The notification outbox (issue 5, D3): one batch per outage, purpose and channel holding the
-- text (the same for every recipient), one row per recipient with its delivery status, and the
-- personal notices and callbacks that people make to key and important customers.

CREATE TABLE notice_batch (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    outage_id  INTEGER NOT NULL REFERENCES outage (id),
    purpose    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    -- Enqueueing twice (a retried request, a second instance) adds nothing.
    UNIQUE (outage_id, purpose, channel)
);

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
-- Due messages are found by status and time; the partial index stays small because sent
-- messages leave it.
CREATE INDEX notice_due ON notice (status, next_us) WHERE status IN ('pending', 'sending');
CREATE INDEX notice_customer ON notice (customer_no);

CREATE TABLE outage_task (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    outage_id    INTEGER NOT NULL REFERENCES outage (id),
    kind         TEXT NOT NULL,
    customer_no  TEXT NOT NULL REFERENCES customer (customer_no),
    -- The customer manager, when the customer has one.
    assignee     TEXT,
    due_us       INTEGER NOT NULL,
    done_us      INTEGER,
    done_by      TEXT,
    method       TEXT,
    -- Who at the customer acknowledged (name), when the customer did.
    acknowledged_by TEXT,
    note         TEXT,
    UNIQUE (outage_id, kind, customer_no)
);
CREATE INDEX outage_task_open ON outage_task (done_us, due_us);
CREATE INDEX outage_task_assignee ON outage_task (assignee, done_us);
