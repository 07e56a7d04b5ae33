-- marts.concentration_trend: one row per (source, commodity, stage, basis, year): the change of
-- HHI, China's share and the top-3 share since the previous year the series has (previous_year:
-- IEA jumps from its base year to 2030, USGS and trade are yearly).
SELECT
    source, commodity, stage, basis, year, is_projection,
    lag(year) OVER w AS previous_year,
    hhi,
    hhi - lag(hhi) OVER w AS hhi_change,
    china_share,
    -- China's change only where the source lists China in both years (else it hides in
    -- "Other countries" and a jump from 0 would be an artefact)
    CASE WHEN china_listed AND lag(china_listed) OVER w
         THEN china_share - lag(china_share) OVER w END AS china_share_change,
    top3_share,
    top3_share - lag(top3_share) OVER w AS top3_share_change,
    concentration_band,
    lag(concentration_band) OVER w AS previous_band
FROM marts.supply_concentration
WINDOW w AS (PARTITION BY source, commodity, stage, basis ORDER BY year)
ORDER BY source, commodity, stage, basis, year
