-- Panel "Prices and unit values": the screens' hits on each mineral, in words (notes under the
-- charts): the latest year of each flooding run and of each USGS-vs-trade pair, and the longest
-- window each window screen fires on per measure, code, country and source.
SELECT commodity, 'flooding' AS screen, year::VARCHAR AS "when", evidence
FROM marts.screen_flooding
WHERE fires
QUALIFY year = max(year) OVER (PARTITION BY nomenclature, hs6)
UNION ALL
SELECT commodity, 'price discrimination', measure_id || ', ' || frequency, evidence
FROM marts.screen_price_discrimination
WHERE fires
QUALIFY window_months = max(window_months) OVER (
    PARTITION BY measure_id, frequency, nomenclature, hs6, target_iso3)
UNION ALL
SELECT commodity, 'control premium', measure_id || ', ' || frequency, evidence
FROM marts.screen_control_premium
WHERE fires
QUALIFY window_months = max(window_months) OVER (
    PARTITION BY measure_id, source, frequency, nomenclature, hs6, importer_iso3, origin)
UNION ALL
SELECT CASE commodity WHEN 'rare_earths_heavy' THEN 'rare_earths' ELSE commodity END,
       'USGS price vs unit value', year::VARCHAR, evidence
FROM marts.screen_price_vs_unit_value
WHERE fires
QUALIFY year = max(year) OVER (PARTITION BY commodity, product, hs6, exporter_iso3, importer_iso3)
ORDER BY commodity, screen, "when" DESC
