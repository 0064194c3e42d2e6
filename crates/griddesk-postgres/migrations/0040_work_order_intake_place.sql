-- Where a work order's customer hung on the grid when the order was accepted (issue 5: fault
-- inference at 1,000 calls/s). The repair calls near an order are those placed from the same
-- feeder within the window; looking them up from every customer of the feeder cost one index
-- probe per customer (~2,700 per call) whether or not anyone called, which capped the intake at
-- ~290 calls/s on SQLite and ~144 on PostgreSQL. A call is a symptom seen where the customer was
-- supplied when calling, so the place is taken then and kept with the order.

ALTER TABLE work_order ADD COLUMN intake_feeder TEXT;
ALTER TABLE work_order ADD COLUMN intake_area TEXT;

UPDATE work_order SET
    intake_feeder = (SELECT COALESCE(ta.feeder, c.feeder_code) FROM customer c
                     LEFT JOIN transformer_area ta ON ta.code = c.area_code
                     WHERE c.customer_no = work_order.customer_no),
    intake_area = (SELECT c.area_code FROM customer c WHERE c.customer_no = work_order.customer_no)
WHERE customer_no IS NOT NULL;

CREATE INDEX work_order_feeder_calls ON work_order (intake_feeder, accepted_us)
    WHERE order_type = 'fault_repair';
