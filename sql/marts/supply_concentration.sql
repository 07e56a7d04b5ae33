-- marts.supply_concentration: one row per (source, commodity, stage, basis, year).
-- HHI on the 0-10,000 scale from country shares in percent; effective suppliers = 10,000 / HHI;
-- bands from the US 2010 Horizontal Merger Guidelines. unallocated_share is what aggregate rows
-- ("Other countries", "Rest of world") hold: the HHI cannot see how it is split. Production only
-- (USGS, IEA): the concentration of exports is marts.export_concentration.
WITH shares AS (
    SELECT
        source, commodity, stage, basis, year,
        bool_or(is_estimate) AS is_estimate,
        bool_or(is_projection) AS is_projection,
        any_value(unit) AS unit,
        count(*) FILTER (WHERE amount > 0) AS n_countries,
        arg_max(iso3, amount) FILTER (WHERE rank = 1) AS top1_iso3,
        max(share) AS top1_share,
        sum(share) FILTER (WHERE rank <= 3) AS top3_share,
        sum(power(share * 100, 2)) AS hhi,
        coalesce(sum(share) FILTER (WHERE iso3 = 'CHN'), 0) AS china_share,
        bool_or(iso3 = 'CHN') AS china_listed,
        sum(share) AS country_share_total
    FROM marts.country_share
    GROUP BY source, commodity, stage, basis, year
)
SELECT
    s.source,
    s.commodity,
    s.stage,
    s.basis,
    s.year,
    s.is_estimate,
    s.is_projection,
    t.world_total,
    s.unit,
    s.n_countries,
    s.top1_iso3,
    s.top1_share,
    s.top3_share,
    s.hhi,
    10000.0 / nullif(s.hhi, 0) AS effective_suppliers,
    s.china_share,
    CASE
        WHEN s.hhi > 2500 THEN 'highly concentrated'
        WHEN s.hhi >= 1500 THEN 'moderately concentrated'
        ELSE 'unconcentrated'
    END AS concentration_band,
    t.unallocated_amount / t.world_total AS unallocated_share,
    s.china_listed,
    s.country_share_total,
    t.published_world_total,
    t.edition,
    t.unit_basis,
    t.product
FROM shares AS s
JOIN staging.supply_series AS t USING (source, commodity, stage, basis, year)
WHERE s.hhi IS NOT NULL
ORDER BY source, commodity, stage, basis, year
