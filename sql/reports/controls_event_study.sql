-- `minerals controls [MEASURE]`: China's monthly exports before vs after each measure, to the
-- USA, Japan, the EU27 and every partner: 12-month windows for every measure, 3, 6 and 12 for
-- one. The months the data cover in each window; a change only where both windows are complete
-- (else the reason); "upper bound": a basket code, whose change is the code's, not the mineral's:
-- products says which (staging.dim_hs_content).
SELECT measure_id, hs6,
       coalesce((SELECT any_value(c.product) || CASE WHEN bool_or(c.basket = 'commodity')
                        THEN ' (basket)' ELSE '' END
                 FROM staging.dim_hs_content c WHERE c.hs6 = e.hs6), '') AS products,
       destination, window_months AS months,
       strftime(before_covered_from, '%Y-%m') || '..' || strftime(before_covered_to, '%Y-%m')
           || ' (' || months_before || ')' AS "before: months covered",
       strftime(after_covered_from, '%Y-%m') || '..' || strftime(after_covered_to, '%Y-%m')
           || ' (' || months_after || ')' AS "after: months covered",
       round(value_before_usd / 1e6, 2) AS "before $m",
       round(value_after_usd / 1e6, 2) AS "after $m",
       round(100 * value_change, 1) AS "change %",
       round(unit_value_before_usd_per_kg, 1) AS "$/kg before",
       round(unit_value_after_usd_per_kg, 1) AS "$/kg after",
       is_target AS target, is_shared_code AS "upper bound",
       change_null_reason AS "no change because"
FROM marts.export_control_event_study e
WHERE ($measure IS NULL AND window_months = 12 OR measure_id = $measure)
  AND destination IN ('USA', 'JPN', 'EU27', 'ALL')
ORDER BY effective, measure_id, hs6, window_months,
         list_position(['USA', 'JPN', 'EU27', 'ALL'], destination)
