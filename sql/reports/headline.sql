-- The table `make run` prints: for each critical mineral, the latest year of mining and of
-- refining, China's share, the top-3 share and the HHI. Mining from USGS (every country);
-- refining from IEA where it publishes it (lithium, cobalt, nickel, graphite, rare earths,
-- copper), else USGS refinery rows (gallium, germanium...). Projections are left out.
WITH ranked AS (
    SELECT *,
        row_number() OVER (
            PARTITION BY commodity, stage
            ORDER BY CASE WHEN stage = 'mining' AND source = 'usgs_mcs' THEN 0
                          WHEN stage = 'refining' AND source = 'iea' THEN 0 ELSE 1 END,
                     year DESC
        ) AS pick
    FROM marts.supply_concentration
    WHERE basis = 'production' AND NOT is_projection
      AND commodity IN ('rare_earths', 'lithium', 'cobalt', 'nickel', 'graphite', 'copper',
                        'gallium', 'germanium', 'manganese', 'tungsten', 'antimony', 'platinum',
                        'palladium', 'titanium_sponge', 'vanadium', 'tin', 'alumina', 'aluminum')
),
latest AS (SELECT * FROM ranked WHERE pick = 1)
SELECT
    commodity,
    m.year AS mining_year,
    -- blank where the source does not list China (it may sit in "Other countries")
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
ORDER BY coalesce(r.china_share, m.china_share) DESC
