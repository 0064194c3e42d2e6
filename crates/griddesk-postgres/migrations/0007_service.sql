-- The service centre around work orders (issue 4, D2): the complaint record (cause, five steps,
-- responsibility finding), photos and files attached to orders, agents' presence and the
-- callbacks scheduled for callers no agent could take, and the leases that let exactly one
-- server instance run a background job (the overdue sweeper).

CREATE TABLE complaint (
    order_id           BIGINT PRIMARY KEY REFERENCES work_order (id),
    cause              TEXT,
    responsibility     TEXT,
    responsible_unit   TEXT REFERENCES org_unit (code),
    finding_note       TEXT,
    finding_actor      TEXT,
    finding_actor_name TEXT,
    finding_us         BIGINT
);

CREATE TABLE complaint_step (
    order_id   BIGINT NOT NULL REFERENCES work_order (id),
    step       TEXT NOT NULL,
    note       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at_us      BIGINT NOT NULL,
    PRIMARY KEY (order_id, step)
);

-- Complaints of a period for the ledger.
CREATE INDEX work_order_type_accepted ON work_order (order_type, accepted_us);

CREATE TABLE work_order_attachment (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id     BIGINT NOT NULL REFERENCES work_order (id),
    content_type TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    note         TEXT,
    actor        TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX work_order_attachment_order ON work_order_attachment (order_id, id);

CREATE TABLE agent_presence (
    login    TEXT PRIMARY KEY REFERENCES staff (login),
    status   TEXT NOT NULL,
    since_us BIGINT NOT NULL
);
CREATE INDEX agent_presence_free ON agent_presence (status, since_us);

CREATE TABLE scheduled_callback (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_no  TEXT REFERENCES customer (customer_no),
    phone        TEXT NOT NULL,
    tier         BIGINT NOT NULL,
    requested_us BIGINT NOT NULL,
    due_us       BIGINT NOT NULL,
    done_us      BIGINT,
    done_by      TEXT,
    note         TEXT
);
CREATE INDEX scheduled_callback_open ON scheduled_callback (due_us) WHERE done_us IS NULL;

CREATE TABLE lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_us BIGINT NOT NULL
);
