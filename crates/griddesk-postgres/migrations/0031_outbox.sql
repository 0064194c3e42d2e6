-- The notification outbox (issue 5, D3): one batch per outage, purpose and channel holding the
-- text (the same for every recipient), one row per recipient with its delivery status, and the
-- personal notices and callbacks that people make to key and important customers.

CREATE TABLE notice_batch (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outage_id  BIGINT NOT NULL REFERENCES outage (id),
    purpose    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_us BIGINT NOT NULL,
    -- Enqueueing twice (a retried request, a second instance) adds nothing.
    UNIQUE (outage_id, purpose, channel)
);

CREATE TABLE notice (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id    BIGINT NOT NULL REFERENCES notice_batch (id),
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    -- Phone number or address in clear: the channel needs it. Never shown unmasked.
    recipient   TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    BIGINT NOT NULL,
    -- When a pending message is due (first send or next retry).
    next_us     BIGINT NOT NULL,
    -- The dispatcher holding a message being sent, and until when.
    holder      TEXT,
    lease_us    BIGINT,
    sent_us     BIGINT,
    error       TEXT,
    UNIQUE (batch_id, customer_no)
);
-- Due messages are found by status and time; the partial index stays small because sent
-- messages leave it.
CREATE INDEX notice_due ON notice (status, next_us) WHERE status IN ('pending', 'sending');
CREATE INDEX notice_customer ON notice (customer_no);

CREATE TABLE outage_task (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outage_id    BIGINT NOT NULL REFERENCES outage (id),
    kind         TEXT NOT NULL,
    customer_no  TEXT NOT NULL REFERENCES customer (customer_no),
    -- The customer manager, when the customer has one.
    assignee     TEXT,
    due_us       BIGINT NOT NULL,
    done_us      BIGINT,
    done_by      TEXT,
    method       TEXT,
    -- Who at the customer acknowledged (name), when the customer did.
    acknowledged_by TEXT,
    note         TEXT,
    UNIQUE (outage_id, kind, customer_no)
);
CREATE INDEX outage_task_open ON outage_task (done_us, due_us);
CREATE INDEX outage_task_assignee ON outage_task (assignee, done_us);
