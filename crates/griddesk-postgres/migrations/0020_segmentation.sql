-- Customer value segmentation (D4): one run per period (configuration, population summary as
-- JSON, when and by whom) and one result per customer and period. A period is replaced whole in
-- one transaction. Periods are 'YYYY-MM' text, so they sort in time order.

CREATE TABLE segment_run (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period      TEXT NOT NULL UNIQUE,
    config      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    created_us  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE segment_result (
    period          TEXT NOT NULL REFERENCES segment_run (period),
    customer_no     TEXT NOT NULL REFERENCES customer (customer_no),
    -- Raw indicators B11..B42, each 0..1.
    b11 DOUBLE PRECISION NOT NULL, b12 DOUBLE PRECISION NOT NULL, b21 DOUBLE PRECISION NOT NULL, b22 DOUBLE PRECISION NOT NULL,
    b31 DOUBLE PRECISION NOT NULL, b32 DOUBLE PRECISION NOT NULL, b41 DOUBLE PRECISION NOT NULL, b42 DOUBLE PRECISION NOT NULL,
    -- Quintile scores 1..5.
    s11 INTEGER NOT NULL, s12 INTEGER NOT NULL, s21 INTEGER NOT NULL, s22 INTEGER NOT NULL,
    s31 INTEGER NOT NULL, s32 INTEGER NOT NULL, s41 INTEGER NOT NULL, s42 INTEGER NOT NULL,
    current_value   DOUBLE PRECISION NOT NULL,
    potential_value DOUBLE PRECISION NOT NULL,
    quadrant        TEXT NOT NULL,
    -- Purchase amount of the last 12 months in fen (ABC pyramid).
    purchase_fen    BIGINT NOT NULL,
    abc             TEXT NOT NULL,
    tier            INTEGER NOT NULL,
    -- Entitlement codes, comma-separated.
    entitlements    TEXT NOT NULL,
    PRIMARY KEY (period, customer_no)
);

CREATE INDEX segment_result_customer ON segment_result (customer_no, period);
CREATE INDEX segment_result_quadrant ON segment_result (period, quadrant, current_value);
CREATE INDEX segment_result_abc ON segment_result (period, abc, current_value);
