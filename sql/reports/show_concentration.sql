-- `minerals show COMMODITY`: the commodity's production concentration by stage, source and year
-- (USGS, IEA). China % is blank where the series does not list China (it may sit in "Other").
SELECT stage, source, year, is_projection AS proj,
       CASE WHEN china_listed THEN round(100 * china_share, 1) END AS "China %",
       top1_iso3 AS top1,
       round(100 * top1_share, 1) AS "top1 %", round(100 * top3_share, 1) AS "top3 %",
       round(hhi) AS hhi, round(effective_suppliers, 1) AS eff_suppliers,
       concentration_band AS band, round(100 * unallocated_share, 1) AS "unallocated %"
FROM marts.supply_concentration
WHERE commodity = $commodity AND basis = 'production'
ORDER BY stage, source, year
