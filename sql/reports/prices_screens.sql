-- `minerals prices COMMODITY`: the screens' hits on the commodity (docs/prices.md), each with its
-- evidence in words; the latest first; a flooding run once (its last year, whose evidence names
-- the years it spans).
SELECT 'flooding' AS screen, year::VARCHAR AS "when", evidence
FROM (SELECT *, lead(fires) OVER (PARTITION BY nomenclature, hs6 ORDER BY year) AS goes_on
      FROM marts.screen_flooding)
-- a run's last year: its evidence names the years the run spans
WHERE fires AND NOT coalesce(goes_on, false) AND commodity = $commodity
UNION ALL
SELECT 'price discrimination', measure_id || ' ' || frequency || ' ' || window_months || 'm', evidence
FROM marts.screen_price_discrimination WHERE fires AND commodity = $commodity
UNION ALL
SELECT 'control premium', measure_id || ' ' || frequency || ' ' || window_months || 'm', evidence
FROM marts.screen_control_premium WHERE fires AND commodity = $commodity
UNION ALL
SELECT 'USGS price vs unit value', year::VARCHAR, evidence
FROM marts.screen_price_vs_unit_value
WHERE fires AND (commodity = $commodity OR $commodity = 'rare_earths' AND commodity = 'rare_earths_heavy')
ORDER BY "when" DESC, screen
