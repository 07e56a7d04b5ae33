-- What each export control did to China's exports to the US and Japan: 12 months before the
-- effective month vs the effective month and the 11 after (months_* = months the data cover; a
-- change only where both windows are complete, else the reason; a basket code is an upper bound).
SELECT measure_id, hs6, destination, months_before, months_after,
       round(value_before_usd / 1e6, 2) AS before_musd, round(value_after_usd / 1e6, 2) AS after_musd,
       round(100 * value_change, 1) AS change_pct, change_null_reason, is_target,
       is_shared_code AS upper_bound
FROM marts.export_control_event_study
WHERE window_months = 12 AND destination IN ('USA', 'JPN')
ORDER BY effective, measure_id, hs6, destination;
