-- The three-dimension grade (D4.5) of each segmentation result: the combined score of its
-- contribution, compliance and cooperation sub-scores, the grade by rank, and the period whose
-- run evaluated it (a grade is kept through its review cycle). Results stored
-- before this migration keep NULL: their grade was never computed, and guessing one would
-- misstate the run.

ALTER TABLE segment_result ADD COLUMN grade TEXT;
ALTER TABLE segment_result ADD COLUMN graded_period TEXT;
ALTER TABLE segment_result ADD COLUMN grade_score REAL;

CREATE INDEX segment_result_grade ON segment_result (period, grade, current_value);
CREATE INDEX segment_result_tier ON segment_result (period, tier, current_value);
