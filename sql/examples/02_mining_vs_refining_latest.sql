-- For every mineral with both stages: China's share of mining vs refining, latest actual year.
-- A share is only compared where the series lists China (china_listed): where it does not,
-- China may sit inside "Other countries", so its 0 would be an artefact, not a figure.
WITH latest AS (
    SELECT *, row_number() OVER (PARTITION BY commodity, stage
                                 ORDER BY (source = 'iea') DESC, year DESC) AS pick
    FROM marts.supply_concentration
    WHERE basis = 'production' AND NOT is_projection
)
SELECT m.commodity,
       CASE WHEN m.china_listed THEN round(100 * m.china_share, 1) END AS mining_china_pct,
       m.source AS mining_source, m.year AS mining_year,
       CASE WHEN r.china_listed THEN round(100 * r.china_share, 1) END AS refining_china_pct,
       r.source AS refining_source, r.year AS refining_year,
       CASE WHEN m.china_listed AND r.china_listed
            THEN round(100 * (r.china_share - m.china_share), 1) END AS refining_minus_mining_pts
FROM latest m JOIN latest r USING (commodity)
WHERE m.stage = 'mining' AND r.stage = 'refining' AND m.pick = 1 AND r.pick = 1
ORDER BY refining_minus_mining_pts DESC NULLS LAST, commodity;
