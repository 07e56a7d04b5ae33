-- Panel "Monthly imports by origin", first chart: China's monthly exports of rare-earth magnets
-- in 2025 as the press reported them (staging.china_customs_press, chosen figures, months only),
-- to the world, the US and Japan, each with its page; a month no page reports is a null row,
-- drawn as a gap (never a line across it).
WITH figures AS (
    SELECT * FROM staging.china_customs_press
    WHERE is_primary AND months = 1 AND series = 'magnets'
      AND partner_iso3 IN ('WLD', 'USA', 'JPN')
),
span AS (
    SELECT partner_iso3, any_value(commodity) AS commodity,
           unnest(generate_series(min(period_end), max(period_end), INTERVAL 1 MONTH))::DATE
               AS period
    FROM figures GROUP BY partner_iso3
)
SELECT s.partner_iso3, s.commodity, strftime(s.period, '%Y-%m-%d') AS period, f.quantity,
       f.unit, f.outlet, f.url, 'press-reported' AS label
FROM span s
LEFT JOIN figures f ON f.partner_iso3 = s.partner_iso3 AND f.period_end = s.period
ORDER BY s.partner_iso3, s.period
