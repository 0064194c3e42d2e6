-- Weekly and monthly planned-outage plans (issue 5, D3 kind 1): one row per job, keyed by the
-- plan's job id (a re-import replaces a draft), with its status and the outage it was issued
-- into (several jobs may share one outage).

CREATE TABLE outage_plan (
    job_id           TEXT PRIMARY KEY NOT NULL,
    -- weekly | monthly
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    -- substation | feeders | areas | customers, and the codes given (as on outage).
    scope_kind       TEXT NOT NULL,
    scope_codes      TEXT NOT NULL,
    start_us         BIGINT NOT NULL,
    end_us           BIGINT NOT NULL,
    work_content     TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    reason           TEXT NOT NULL,
    -- draft | issued | cancelled
    status           TEXT NOT NULL,
    outage_id        BIGINT REFERENCES outage (id),
    version          BIGINT NOT NULL,
    updated_us       BIGINT NOT NULL,
    updated_by       TEXT NOT NULL
);
CREATE INDEX outage_plan_start ON outage_plan (start_us, job_id);
CREATE INDEX outage_plan_outage ON outage_plan (outage_id);
