-- For every mineral with both stages: China's share of mining vs refining, latest actual year.
WITH latest AS (
    SELECT *, row_number() OVER (PARTITION BY commodity, stage
                                 ORDER BY (source = 'iea') DESC, year DESC) AS pick
    FROM marts.supply_concentration
    WHERE basis = 'production' AND NOT is_projection
)
SELECT m.commodity,
       round(100 * m.china_share, 1) AS mining_china_pct, m.year AS mining_year,
       round(100 * r.china_share, 1) AS refining_china_pct, r.year AS refining_year,
       round(100 * (r.china_share - m.china_share), 1) AS refining_minus_mining_pts
FROM latest m JOIN latest r USING (commodity)
WHERE m.stage = 'mining' AND r.stage = 'refining' AND m.pick = 1 AND r.pick = 1
ORDER BY refining_minus_mining_pts DESC;
