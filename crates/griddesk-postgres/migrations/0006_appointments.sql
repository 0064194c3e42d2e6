-- Appointments (服务预约, D2): a customer's booked slot with a crew or business hall for a work
-- order. Booking moves the order's open deadlines that fall before the slot to its end.

CREATE TABLE appointment (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id  BIGINT NOT NULL REFERENCES work_order (id),
    org_unit  TEXT NOT NULL REFERENCES org_unit (code),
    kind      TEXT NOT NULL,
    starts_us BIGINT NOT NULL,
    ends_us   BIGINT NOT NULL,
    booked_by TEXT NOT NULL,
    cancelled BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (ends_us > starts_us)
);
CREATE INDEX appointment_schedule ON appointment (org_unit, starts_us);
CREATE INDEX appointment_order ON appointment (order_id);
