-- marts.country_share: one row per (source, commodity, stage, basis, year, iso3).
-- Each country's amount and its share of the world total of the newest edition of the series.
-- The world total is staging.supply_series.world_total (see there). Production only (USGS,
-- IEA): a country's share of exports is marts.export_share, never a production share.
-- Withheld or missing amounts stay in the table with a null share and rank.
SELECT
    l.source,
    l.commodity,
    l.stage,
    l.basis,
    l.year,
    l.is_estimate,
    l.is_projection,
    l.iso3,
    coalesce(c.name, l.country) AS country,
    l.amount,
    l.unit,
    l.amount / nullif(s.world_total, 0) AS share,
    CASE WHEN l.amount IS NOT NULL THEN
        rank() OVER (PARTITION BY l.source, l.commodity, l.stage, l.basis, l.year
                     ORDER BY l.amount DESC NULLS LAST)
    END AS rank,
    l.value_flag,
    l.edition,
    l.measure,
    l.unit_basis,
    l.product
FROM staging.supply_by_country AS l
JOIN staging.supply_series AS s USING (source, commodity, stage, basis, year)
LEFT JOIN staging.dim_country AS c ON c.iso3 = l.iso3
WHERE l.iso3 IS NOT NULL AND s.world_total > 0
ORDER BY source, commodity, stage, basis, year, rank NULLS LAST, iso3
