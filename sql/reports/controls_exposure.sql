-- `minerals controls [MEASURE]`: annual BACI trade in the measure's codes, latest year per
-- nomenclature: China's exports (covered $m) and China's share of all suppliers' exports, for the
-- world (every measure) or the world, USA and Japan (one measure).
SELECT measure_id, nomenclature AS hs, importer_iso3 AS importer, year,
       round(covered_value_usd / 1e6, 1) AS "covered $m",
       round(100 * covered_share, 1) AS "China % of supply",
       includes_shared_codes AS "upper bound"
FROM marts.export_control_exposure
WHERE ($measure IS NULL AND importer_iso3 = 'WORLD' OR measure_id = $measure)
  AND importer_iso3 IN ('WORLD', 'USA', 'JPN') AND year IS NOT NULL
QUALIFY year = max(year) OVER (PARTITION BY measure_id, nomenclature)
ORDER BY effective, measure_id, nomenclature, importer_iso3 <> 'WORLD', importer_iso3
