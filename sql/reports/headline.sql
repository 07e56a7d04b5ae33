-- The table `make run` prints: for each focus commodity (staging.focus_commodities), the
-- headline year of mining and of refining (staging.representative_series: USGS for mining, IEA
-- for refining where it publishes it, else USGS), China's share, the top-3 share and the HHI.
-- China's share is blank where the series does not list China (it may sit in "Other countries").
WITH latest AS (
    SELECT c.*
    FROM staging.representative_series r
    JOIN marts.supply_concentration c USING (source, commodity, stage, basis, year)
    JOIN staging.focus_commodities f USING (commodity)
    WHERE r.is_headline
)
SELECT
    commodity,
    m.year AS mining_year,
    CASE WHEN m.china_listed THEN round(100 * m.china_share, 1) END AS "mining China %",
    round(100 * m.top3_share, 1) AS "mining top-3 %",
    round(m.hhi) AS mining_hhi,
    r.year AS refining_year,
    r.source AS refining_source,
    CASE WHEN r.china_listed THEN round(100 * r.china_share, 1) END AS "refining China %",
    round(100 * r.top3_share, 1) AS "refining top-3 %",
    round(r.hhi) AS refining_hhi
FROM (SELECT * FROM latest WHERE stage = 'mining') m
FULL JOIN (SELECT * FROM latest WHERE stage = 'refining') r USING (commodity)
ORDER BY coalesce(r.china_share, m.china_share) DESC, commodity
