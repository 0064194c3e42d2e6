-- The service centre around work orders (issue 4, D2): the complaint record (cause, five steps,
-- responsibility finding), photos and files attached to orders, agents' presence and the
-- callbacks scheduled for callers no agent could take, and the leases that let exactly one
-- server instance run a background job (the overdue sweeper).

CREATE TABLE complaint (
    order_id           INTEGER PRIMARY KEY REFERENCES work_order (id),
    cause              TEXT,
    responsibility     TEXT,
    responsible_unit   TEXT REFERENCES org_unit (code),
    finding_note       TEXT,
    finding_actor      TEXT,
    finding_actor_name TEXT,
    finding_us         INTEGER
);

CREATE TABLE complaint_step (
    order_id   INTEGER NOT NULL REFERENCES work_order (id),
    step       TEXT NOT NULL,
    note       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at_us      INTEGER NOT NULL,
    PRIMARY KEY (order_id, step)
);

-- Complaints of a period for the ledger.
CREATE INDEX work_order_type_accepted ON work_order (order_type, accepted_us);

CREATE TABLE work_order_attachment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     INTEGER NOT NULL REFERENCES work_order (id),
    content_type TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    note         TEXT,
    actor        TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    at_us        INTEGER NOT NULL
);
CREATE INDEX work_order_attachment_order ON work_order_attachment (order_id, id);

CREATE TABLE agent_presence (
    login    TEXT PRIMARY KEY REFERENCES staff (login),
    status   TEXT NOT NULL,
    since_us INTEGER NOT NULL
);
CREATE INDEX agent_presence_free ON agent_presence (status, since_us);

CREATE TABLE scheduled_callback (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_no  TEXT REFERENCES customer (customer_no),
    phone        TEXT NOT NULL,
    tier         INTEGER NOT NULL,
    requested_us INTEGER NOT NULL,
    due_us       INTEGER NOT NULL,
    done_us      INTEGER,
    done_by      TEXT,
    note         TEXT
);
CREATE INDEX scheduled_callback_open ON scheduled_callback (due_us) WHERE done_us IS NULL;

CREATE TABLE lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_us INTEGER NOT NULL
);
