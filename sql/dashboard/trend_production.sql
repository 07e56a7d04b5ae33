-- Panel "China's share over time": every year of each focus mineral's headline series
-- (representative_series), a null row for a year the source skipped (drawn as a gap).
WITH s AS (
    SELECT c.commodity, c.stage, c.source, c.year,
           CASE WHEN c.china_listed THEN c.china_share END AS china_share,
           c.china_listed, c.hhi
    FROM marts.supply_concentration c
    JOIN staging.representative_series r USING (commodity, stage, source, basis, year)
    WHERE c.commodity IN (SELECT commodity FROM staging.focus_commodities)
),
span AS (SELECT commodity, stage, unnest(range(min(year), max(year) + 1)) AS year
         FROM s GROUP BY commodity, stage)
SELECT span.commodity, span.stage, s.source, span.year, s.china_share, s.china_listed, s.hhi
FROM span LEFT JOIN s USING (commodity, stage, year)
ORDER BY commodity, stage, year
