-- Alerts of the price screens (docs/prices.md): a screen's new hit, worded with its scope and
-- basis. One alert per hit: the first year of a flooding run (not every year it goes on); per
-- measure, code, country and frequency the longest window a window screen fires on; each year a
-- same-scope USGS price and trade unit value are a factor of 2 apart. Critical minerals only (on
-- any list of staging.dim_critical_list), as the other alerts.
SELECT * FROM (
SELECT
    concat_ws('|', 'flooding_pattern', 'baci', nomenclature, hs6, year) AS alert_key,
    'flooding_pattern' AS kind, 'baci' AS source, commodity, stage,
    'export_unit_value' AS basis, year, NULL AS importer_iso3,
    others_median_usd_per_t AS previous_value, china_unit_value_usd_per_t AS value,
    'Flooding pattern (a screen, not a dumping finding): ' || evidence AS message
FROM (
    SELECT *, lag(fires) OVER (PARTITION BY nomenclature, hs6 ORDER BY year) AS fired_before
    FROM marts.screen_flooding
)
WHERE fires AND NOT coalesce(fired_before, false)
UNION ALL
SELECT
    concat_ws('|', 'price_discrimination', measure_id, nomenclature, hs6, target_iso3, frequency,
              window_months),
    'price_discrimination', CASE frequency WHEN 'annual' THEN 'baci' ELSE 'comtrade' END,
    commodity, stage, 'export_unit_value', year(after_from), target_iso3,
    premium_before, premium_after,
    'Price discrimination screen: ' || evidence
FROM marts.screen_price_discrimination
WHERE fires
QUALIFY window_months = max(window_months) OVER (
    PARTITION BY measure_id, nomenclature, hs6, target_iso3, frequency)
UNION ALL
SELECT
    concat_ws('|', 'control_premium', measure_id, source, nomenclature, hs6, importer_iso3,
              origin, frequency, window_months),
    'control_premium', source, commodity, stage,
    -- China's declarations (comtrade) are its exports to the importer, not the importer's imports
    CASE source WHEN 'comtrade' THEN 'export_unit_value' ELSE 'import_unit_value' END,
    year(after_from),
    importer_iso3, uv_before_usd_per_t, uv_after_usd_per_t,
    'Control premium screen: ' || evidence
FROM marts.screen_control_premium
WHERE fires
QUALIFY window_months = max(window_months) OVER (
    PARTITION BY measure_id, source, nomenclature, hs6, importer_iso3, origin, frequency)
UNION ALL
SELECT
    concat_ws('|', 'price_vs_unit_value', commodity, product, price_basis, nomenclature, hs6,
              exporter_iso3, importer_iso3, year),
    'price_vs_unit_value', 'usgs_mcs', commodity, NULL, price_basis, year,
    CASE WHEN importer_iso3 <> 'WLD' THEN importer_iso3 END,
    trade_unit_value_usd_per_t, usgs_price_usd_per_t,
    'USGS price and trade unit value of the same scope a factor of '
        || round(greatest(price_to_unit_value, 1 / price_to_unit_value), 1)
        || ' apart: one is not the price it seems. ' || evidence
FROM marts.screen_price_vs_unit_value
WHERE fires
) WHERE commodity IN (SELECT commodity FROM staging.dim_critical_list)
