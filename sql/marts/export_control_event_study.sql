-- marts.export_control_event_study: what each measure did to China's exports, one row per
-- (measure_id, destination, hs6, window_months): the window_months calendar months before the
-- month of the effective date against the effective month and the window_months - 1 after
-- (window_months 3, 6, 12), from marts.export_control_monthly. months_before / months_after
-- count the window's months that the code's series covers (fewer than window_months when the
-- series starts late or ends early), *_covered_from / *_covered_to name them; a covered month
-- without a row had no recorded exports (0). Values are null for a window with no covered month.
-- value_change = after / before - 1, and value_change_usd, only where both windows are complete
-- (months_before = months_after = window_months): else null, change_null_reason says why (12
-- months before against 1 after is not a change). is_target: the destination is the one country
-- the measure targets (CN-2024-46: USA). shared_code_note: a basket code in words.
WITH measures AS (
    SELECT measure_id, measure, status, effective, target_iso3,
           date_trunc('month', effective)::DATE AS effective_month
    FROM staging.export_controls
),
series AS (
    SELECT measure_id, hs6, destination, bool_or(is_shared_code) AS is_shared_code
    FROM marts.export_control_monthly GROUP BY ALL
),
-- the months each code's series covers (every destination: the ALL rows)
coverage AS (
    SELECT hs6, min(period) AS first_month, max(period) AS last_month
    FROM marts.export_control_monthly WHERE destination = 'ALL' GROUP BY hs6
),
windows AS (
    SELECT s.*, m.measure, m.status, m.effective, m.target_iso3, w.window_months,
           (m.effective_month - to_months(w.window_months))::DATE AS before_from,
           m.effective_month AS after_from,
           (m.effective_month + to_months(w.window_months - 1))::DATE AS after_to,
           first_month, last_month
    FROM series s
    JOIN measures m USING (measure_id)
    JOIN coverage USING (hs6)
    CROSS JOIN (VALUES (3), (6), (12)) w(window_months)
),
measured AS (
    SELECT w.measure_id, w.destination, w.hs6, w.window_months, w.before_from, w.after_from,
           w.after_to, w.is_shared_code, w.measure, w.status, w.effective, w.target_iso3,
           greatest(0, datediff('month', greatest(w.before_from, w.first_month),
               least((w.after_from - INTERVAL 1 MONTH)::DATE, w.last_month)) + 1) AS months_before,
           greatest(0, datediff('month', greatest(w.after_from, w.first_month),
               least(w.after_to, w.last_month)) + 1) AS months_after,
           greatest(w.before_from, w.first_month) AS before_start,
           least((w.after_from - INTERVAL 1 MONTH)::DATE, w.last_month) AS before_end,
           greatest(w.after_from, w.first_month) AS after_start,
           least(w.after_to, w.last_month) AS after_end,
           coalesce(sum(x.value_usd) FILTER (WHERE x.period < w.after_from), 0) AS value_before,
           coalesce(sum(x.value_usd) FILTER (WHERE x.period >= w.after_from), 0) AS value_after,
           sum(x.quantity) FILTER (WHERE x.period < w.after_from) AS quantity_before,
           sum(x.quantity) FILTER (WHERE x.period >= w.after_from) AS quantity_after,
           sum(x.value_with_quantity_usd) FILTER (WHERE x.period < w.after_from)
               AS priced_value_before,
           sum(x.value_with_quantity_usd) FILTER (WHERE x.period >= w.after_from)
               AS priced_value_after,
           any_value(x.quantity_unit) AS quantity_unit
    FROM windows w
    LEFT JOIN marts.export_control_monthly x
      ON x.measure_id = w.measure_id AND x.hs6 = w.hs6 AND x.destination = w.destination
     AND x.period BETWEEN w.before_from AND w.after_to
    GROUP BY ALL
)
SELECT
    measure_id,
    destination,
    hs6,
    window_months,
    effective,
    before_from,
    after_to,
    months_before::INTEGER AS months_before,
    months_after::INTEGER AS months_after,
    CASE WHEN months_before > 0 THEN value_before END AS value_before_usd,
    CASE WHEN months_after > 0 THEN value_after END AS value_after_usd,
    CASE WHEN is_complete THEN value_after - value_before END AS value_change_usd,
    CASE WHEN is_complete THEN value_after / nullif(value_before, 0) - 1 END AS value_change,
    quantity_before,
    quantity_after,
    quantity_unit,
    priced_value_before / nullif(quantity_before, 0) AS unit_value_before_usd_per_kg,
    priced_value_after / nullif(quantity_after, 0) AS unit_value_after_usd_per_kg,
    coalesce(destination = target_iso3, false) AS is_target,
    is_shared_code,
    measure,
    status,
    CASE WHEN months_before > 0 THEN before_start END AS before_covered_from,
    CASE WHEN months_before > 0 THEN before_end END AS before_covered_to,
    CASE WHEN months_after > 0 THEN after_start END AS after_covered_from,
    CASE WHEN months_after > 0 THEN after_end END AS after_covered_to,
    CASE
        WHEN is_complete AND value_before = 0 THEN 'no exports in the before window'
        WHEN months_before < window_months AND months_after < window_months
            THEN format('both windows incomplete: {} and {} of {} months in the data',
                        months_before, months_after, window_months)
        WHEN months_before < window_months
            THEN format('before window incomplete: {} of {} months in the data',
                        months_before, window_months)
        WHEN months_after < window_months
            THEN format('after window incomplete: {} of {} months in the data',
                        months_after, window_months)
    END AS change_null_reason,
    CASE WHEN is_shared_code THEN
        'HS ' || hs6 || ' also holds goods this measure does not control: the figures are '
        || 'upper bounds, and a change is the code''s, not the controlled mineral''s'
    END AS shared_code_note
FROM (SELECT *, months_before = window_months AND months_after = window_months AS is_complete
      FROM measured)
WHERE months_before + months_after > 0
ORDER BY measure_id, hs6, destination, window_months
