-- Work orders (issue 4, domain D2): the order, its deadlines (computed at acceptance and stored,
-- so a restart loses none) and its append-only event history. Times are microseconds since the
-- epoch (UTC), as in 0003; one SQL text serves both backends (griddesk_store::workorder).

CREATE TABLE work_order (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_type      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,
    customer_no     TEXT REFERENCES customer (customer_no),
    contact_name    TEXT NOT NULL,
    contact_phone   TEXT,
    subject         TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- first-contact owner (audit id), kept through transfers
    owner           TEXT NOT NULL,
    owner_name      TEXT NOT NULL,
    -- handling unit once dispatched
    org_unit        TEXT REFERENCES org_unit (code),
    tier            BIGINT NOT NULL,
    accepted_us     BIGINT NOT NULL,
    arrived         BOOLEAN NOT NULL DEFAULT FALSE,
    paused_since_us BIGINT,
    paused_us       BIGINT NOT NULL DEFAULT 0,
    outage          TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX work_order_queue ON work_order (status, tier, accepted_us);
CREATE INDEX work_order_customer ON work_order (customer_no, id);
CREATE INDEX work_order_unit ON work_order (org_unit, status);

CREATE TABLE work_order_deadline (
    order_id     BIGINT NOT NULL REFERENCES work_order (id),
    kind         TEXT NOT NULL,
    due_us       BIGINT NOT NULL,
    met_us       BIGINT,
    escalated_us BIGINT,
    PRIMARY KEY (order_id, kind)
);
CREATE INDEX work_order_deadline_open ON work_order_deadline (due_us) WHERE met_us IS NULL AND escalated_us IS NULL;

CREATE TABLE work_order_event (
    order_id    BIGINT NOT NULL REFERENCES work_order (id),
    seq         BIGINT NOT NULL,
    at_us       BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    note        TEXT,
    data_json   TEXT,
    PRIMARY KEY (order_id, seq)
);

-- Work-order history is append-only (D12).
CREATE FUNCTION work_order_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'work_order_event is append-only';
END;
$$;
CREATE TRIGGER work_order_event_no_update BEFORE UPDATE OR DELETE ON work_order_event
    FOR EACH ROW EXECUTE FUNCTION work_order_event_append_only();
CREATE TRIGGER work_order_event_no_truncate BEFORE TRUNCATE ON work_order_event
    FOR EACH STATEMENT EXECUTE FUNCTION work_order_event_append_only();
