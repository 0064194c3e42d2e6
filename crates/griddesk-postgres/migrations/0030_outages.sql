-- Integrated outage management (issue 5, D3): outages of the four kinds, the devices each
-- switches off (resolved from its scope on the live topology), the customers it reaches, and
-- its append-only history.

CREATE TABLE outage (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version       BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    title         TEXT NOT NULL,
    cause         TEXT NOT NULL,
    -- substation | feeders | areas | customers, and the codes given.
    scope_kind    TEXT NOT NULL,
    scope_codes   TEXT NOT NULL,
    start_us      BIGINT NOT NULL,
    -- Planned end, or the estimated restoration time of a fault.
    eta_us        BIGINT,
    restored_us   BIGINT,
    created_us    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    affected      BIGINT NOT NULL
);
CREATE INDEX outage_status ON outage (status, start_us);

CREATE TABLE outage_device (
    outage_id BIGINT NOT NULL REFERENCES outage (id),
    kind      TEXT NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (outage_id, kind, code)
);

CREATE TABLE outage_customer (
    outage_id   BIGINT NOT NULL REFERENCES outage (id),
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    PRIMARY KEY (outage_id, customer_no)
);
CREATE INDEX outage_customer_customer ON outage_customer (customer_no, outage_id);

CREATE TABLE outage_event (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outage_id  BIGINT NOT NULL REFERENCES outage (id),
    at_us      BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    status     TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX outage_event_outage ON outage_event (outage_id, id);
