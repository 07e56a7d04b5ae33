-- China's share of rare-earth refining (IEA) next to its share of mining (USGS and IEA).
SELECT stage, source, year, is_projection,
       round(100 * china_share, 1) AS china_pct, round(hhi) AS hhi, concentration_band
FROM marts.supply_concentration
WHERE commodity = 'rare_earths' AND basis = 'production'
ORDER BY stage, source, year;
