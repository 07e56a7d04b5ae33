-- The equal windows around each export-control measure and each of its HS codes, for the screens
-- that compare a unit value before and after it (marts.screen_control_premium,
-- marts.screen_price_discrimination): monthly windows of 3, 6 and 12 months ending the month
-- before the measure / starting the month it took effect, and the annual pair (the year before vs
-- the year after; an annual row's period is its year's first day).
WITH measures AS (
    SELECT m.measure_id, m.effective, m.target_iso3, c.nomenclature, c.hs6,
           date_trunc('month', m.effective)::DATE AS effective_month
    FROM staging.export_controls AS m
    JOIN staging.export_control_codes AS c USING (measure_id)
)
SELECT m.measure_id, m.effective, m.target_iso3, m.nomenclature, m.hs6, m.effective_month,
       'monthly' AS frequency, w.n AS window_months,
       (m.effective_month - to_months(w.n))::DATE AS before_from,
       (m.effective_month - INTERVAL 1 MONTH)::DATE AS before_to,
       m.effective_month AS after_from,
       (m.effective_month + to_months(w.n - 1))::DATE AS after_to
FROM measures AS m CROSS JOIN (VALUES (3), (6), (12)) AS w(n)
UNION ALL
SELECT m.measure_id, m.effective, m.target_iso3, m.nomenclature, m.hs6, m.effective_month,
       'annual', 12,
       make_date(year(m.effective) - 1, 1, 1), make_date(year(m.effective) - 1, 1, 1),
       make_date(year(m.effective) + 1, 1, 1), make_date(year(m.effective) + 1, 1, 1)
FROM measures AS m
