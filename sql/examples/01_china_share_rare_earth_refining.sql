-- China's share of rare-earth refining (IEA) next to its share of mining (USGS and IEA).
-- china_pct is blank where the source does not list China (it may be in "Other countries").
SELECT stage, source, year, is_projection,
       CASE WHEN china_listed THEN round(100 * china_share, 1) END AS china_pct,
       round(hhi) AS hhi, concentration_band
FROM marts.supply_concentration
WHERE commodity = 'rare_earths' AND basis = 'production'
ORDER BY stage, source, year;
