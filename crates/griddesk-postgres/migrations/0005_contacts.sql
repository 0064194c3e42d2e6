-- Customer contact records (客户接触记录, D2): every interaction with a customer, on its
-- timeline. Append-only, like the work-order history.

CREATE TABLE contact_record (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_no TEXT NOT NULL REFERENCES customer (customer_no),
    at_us       BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    inbound     BOOLEAN NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    summary     TEXT NOT NULL,
    order_id    BIGINT REFERENCES work_order (id)
);
CREATE INDEX contact_record_customer ON contact_record (customer_no, at_us);

CREATE FUNCTION contact_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contact_record is append-only';
END;
$$;
CREATE TRIGGER contact_record_no_update BEFORE UPDATE OR DELETE ON contact_record
    FOR EACH ROW EXECUTE FUNCTION contact_record_append_only();
