-- Customers' own maintenance outages (客户检修计划, seed 003), as their customer managers learn
-- them: planned grid work cutting such a customer near that time is advised to share it.
CREATE TABLE customer_maintenance (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    start_us    BIGINT NOT NULL,
    end_us      BIGINT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_us BIGINT NOT NULL
);
CREATE INDEX customer_maintenance_start ON customer_maintenance (start_us);
CREATE INDEX customer_maintenance_customer ON customer_maintenance (customer_no, start_us);
