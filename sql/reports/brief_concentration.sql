-- `minerals brief`, "Concentration of each stage": the latest observed year of every
-- production series of the commodity (USGS, IEA; projections left out), per stage, with the
-- words the source uses for what it measures (its unit basis) and whether the series is the
-- one the headline uses for that stage, its product and unit basis (content or gross weight).
-- Production only: trade is not production.
WITH latest AS (
    SELECT *
    FROM marts.supply_concentration
    WHERE commodity = $commodity AND basis = 'production' AND NOT is_projection
    QUALIFY year = max(year) OVER (PARTITION BY source, stage)
),
measured AS (  -- the source's own words for the series (one per series-year and edition)
    SELECT source, stage, year, edition, any_value(measure ORDER BY measure) AS measure
    FROM marts.country_share
    WHERE commodity = $commodity AND basis = 'production'
    GROUP BY ALL
)
SELECT l.stage, l.source, l.edition, l.year, l.basis, m.measure, l.product, l.unit_basis,
       l.unit, l.world_total,
       l.n_countries, l.top1_iso3, c.name AS top1_country, l.top1_share, l.top3_share, l.hhi,
       l.concentration_band, CASE WHEN l.china_listed THEN l.china_share END AS china_share,
       l.china_listed, l.unallocated_share, l.is_estimate,
       coalesce(r.is_headline, false) AS is_headline
FROM latest AS l
LEFT JOIN measured AS m USING (source, stage, year, edition)
LEFT JOIN staging.dim_country AS c ON c.iso3 = l.top1_iso3
LEFT JOIN staging.representative_series AS r
  ON (r.commodity, r.stage, r.year, r.source, r.basis)
   = (l.commodity, l.stage, l.year, l.source, l.basis)
ORDER BY list_position(['mining', 'refining', 'manufacturing'], l.stage), NOT is_headline,
         l.source
