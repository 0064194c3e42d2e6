-- Customer contact records (客户接触记录, D2): every interaction with a customer, on its
-- timeline. Append-only, like the work-order history.

CREATE TABLE contact_record (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    at_us       INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    inbound     INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    summary     TEXT NOT NULL,
    order_id    INTEGER REFERENCES work_order (id)
);
CREATE INDEX contact_record_customer ON contact_record (customer_no, at_us);

CREATE TRIGGER contact_record_no_update BEFORE UPDATE ON contact_record
BEGIN
    SELECT RAISE(ABORT, 'contact_record is append-only');
END;
CREATE TRIGGER contact_record_no_delete BEFORE DELETE ON contact_record
BEGIN
    SELECT RAISE(ABORT, 'contact_record is append-only');
END;
