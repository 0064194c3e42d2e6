-- A notice that one outage may send more than once (each new restoration time) is one batch
-- per step: the revision is the outage version that step made, 0 for once-only purposes.
ALTER TABLE notice_batch ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_batch DROP CONSTRAINT notice_batch_outage_id_purpose_channel_key;
ALTER TABLE notice_batch ADD CONSTRAINT notice_batch_once
    UNIQUE (outage_id, purpose, channel, revision);
