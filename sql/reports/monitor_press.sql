-- `minerals monitor`, last table: China's own 2025 customs figures as the press reported them
-- (staging.china_customs_press), the chosen figure of each month and partner, each with its
-- page: PRESS-REPORTED, not the warehouse's data. $commodity: a commodity key, or NULL for all.
SELECT
    series,
    partner_iso3 AS "to",
    CASE WHEN months = 1 THEN strftime(period_end, '%Y-%m')
         ELSE strftime(period_start, '%Y-%m') || '..' || strftime(period_end, '%m') END AS period,
    quantity,
    unit,
    label,
    outlet,
    url
FROM staging.china_customs_press
WHERE is_primary AND ($commodity IS NULL OR commodity = $commodity)
ORDER BY series, list_position(['WLD', 'USA', 'JPN', 'DEU'], partner_iso3), partner_iso3,
         months > 1, period_end
