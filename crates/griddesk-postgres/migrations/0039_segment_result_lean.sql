-- Segmentation results stored with fewer indexes (issue 6: storing a million results was most of
-- a run). The four per-grading indexes give way to one by current value: a drill-down list walks
-- a period from its most valuable customer and stops at the 200th match, its filters read from the
-- index itself (it carries every grading's column); a class's count comes from the run's summary.

DROP INDEX segment_result_quadrant;
DROP INDEX segment_result_abc;
DROP INDEX segment_result_grade;
DROP INDEX segment_result_tier;
CREATE INDEX segment_result_value
    ON segment_result (period, current_value DESC, customer_no, quadrant, abc, grade, tier);
