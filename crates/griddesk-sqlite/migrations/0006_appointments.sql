-- Appointments (服务预约, D2): a customer's booked slot with a crew or business hall for a work
-- order. Booking moves the order's open deadlines that fall before the slot to its end.

CREATE TABLE appointment (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  INTEGER NOT NULL REFERENCES work_order (id),
    org_unit  TEXT NOT NULL REFERENCES org_unit (code),
    kind      TEXT NOT NULL,
    starts_us INTEGER NOT NULL,
    ends_us   INTEGER NOT NULL,
    booked_by TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    CHECK (ends_us > starts_us)
);
CREATE INDEX appointment_schedule ON appointment (org_unit, starts_us);
CREATE INDEX appointment_order ON appointment (order_id);
