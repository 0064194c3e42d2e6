-- Segmentation results stored with fewer b-trees (issue 6: storing a million results was most of
-- a run). The table is keyed by (period, customer_no) WITHOUT ROWID, so the key is the table
-- rather than a second index beside it, and the four per-grading indexes give way to one by
-- current value: a drill-down list walks a period from its most valuable customer and stops at
-- the 200th match, its filters read from the index itself (it carries every grading's column);
-- a class's count comes from the run's summary, not from an index.

CREATE TABLE segment_result_new (
    period          TEXT NOT NULL REFERENCES segment_run (period),
    customer_no     TEXT NOT NULL REFERENCES customer (customer_no),
    b11 REAL NOT NULL, b12 REAL NOT NULL, b21 REAL NOT NULL, b22 REAL NOT NULL,
    b31 REAL NOT NULL, b32 REAL NOT NULL, b41 REAL NOT NULL, b42 REAL NOT NULL,
    s11 INTEGER NOT NULL, s12 INTEGER NOT NULL, s21 INTEGER NOT NULL, s22 INTEGER NOT NULL,
    s31 INTEGER NOT NULL, s32 INTEGER NOT NULL, s41 INTEGER NOT NULL, s42 INTEGER NOT NULL,
    current_value   REAL NOT NULL,
    potential_value REAL NOT NULL,
    quadrant        TEXT NOT NULL,
    purchase_fen    INTEGER NOT NULL,
    abc             TEXT NOT NULL,
    tier            INTEGER NOT NULL,
    entitlements    TEXT NOT NULL,
    grade           TEXT,
    graded_period   TEXT,
    grade_score     REAL,
    PRIMARY KEY (period, customer_no)
) WITHOUT ROWID;

INSERT INTO segment_result_new SELECT
    period, customer_no, b11, b12, b21, b22, b31, b32, b41, b42,
    s11, s12, s21, s22, s31, s32, s41, s42, current_value, potential_value, quadrant,
    purchase_fen, abc, tier, entitlements, grade, graded_period, grade_score
FROM segment_result ORDER BY period, customer_no;

DROP TABLE segment_result;
ALTER TABLE segment_result_new RENAME TO segment_result;

CREATE INDEX segment_result_customer ON segment_result (customer_no, period);
CREATE INDEX segment_result_value
    ON segment_result (period, current_value DESC, customer_no, quadrant, abc, grade, tier);
