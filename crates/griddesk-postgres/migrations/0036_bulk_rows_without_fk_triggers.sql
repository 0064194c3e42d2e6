-- The customers an outage reaches and the messages queued for them are written only by one
-- INSERT ... SELECT each (AFFECTED_SQL, the outbox's enqueue) that reads them from the customer
-- and outage tables in the same transaction, and customers, outages and notice batches are
-- never deleted: their references hold by construction. PostgreSQL checks a foreign key with a
-- trigger per row, which made those statements three times slower (a whole substation is some
-- 60,000 rows, and twice that in messages); SQLite's checks are cheap and stay.
ALTER TABLE outage_customer
    DROP CONSTRAINT outage_customer_outage_id_fkey,
    DROP CONSTRAINT outage_customer_customer_no_fkey;
ALTER TABLE notice
    DROP CONSTRAINT notice_batch_id_fkey,
    DROP CONSTRAINT notice_customer_no_fkey;
