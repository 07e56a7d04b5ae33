-- marts.disruption_exposure: one row per (scenario supplier, importer, commodity, stage, year):
-- what the importer loses if one of the five largest exporters of that (commodity, stage, year)
-- stops exporting (marts.export_share, by value; outlier flows left out upstream). The products
-- are those of product_label: a basket code makes every trade figure an upper bound. Only importers that buy from the supplier are listed (others lose nothing).
-- value_at_risk_usd: the importer's imports from the supplier; share_at_risk: of its imports.
-- alternative_supply_ratio: what all other suppliers export in the year (to everyone) divided
-- by the importer's lost imports: > 1 means the rest of the world ships more than is lost, not
-- that it is free to redirect it. world_alternative_supply_ratio: others' EXPORTS / the
-- supplier's exports, a trade ratio, NOT production capacity (rare-earth refining: China is a
-- small exporter of the HS codes but refines ~91%): read the production columns for that.
-- Replacement by production: the rest of the world's production of the same stage (the series
-- staging.representative_series picks, the newest year at or before the trade year) / the supplier's production, and / the importer's lost tonnes. An upper bound
-- on redirectable supply: that output already has buyers; it is not spare capacity.
-- partner_group_share: share of the importer's imports from the partner group in
-- data/seeds/partner_group.csv (EU27 counted through its member states of that year).
WITH exporters AS (
    SELECT commodity, stage, year, iso3 AS supplier_iso3, amount AS supplier_exports_usd, rank
    FROM marts.export_share
    WHERE basis = 'export_value' AND rank <= 5
),
world AS (
    SELECT commodity, stage, year, sum(amount) AS world_exports_usd
    FROM marts.export_share
    WHERE basis = 'export_value'
    GROUP BY ALL
),
importer_totals AS (
    SELECT importer_iso3, commodity, stage, year, sum(value_usd) AS import_value_usd
    FROM staging.import_by_supplier
    GROUP BY ALL
),
partners AS (  -- partner group members, EU27 expanded to that year's member states
    SELECT p.member_iso3 AS iso3, NULL::INT AS from_year, NULL::INT AS to_year
    FROM staging.partner_group p WHERE p.member_iso3 <> 'EU27'
    UNION ALL
    SELECT m.iso3, m.joined, m."left"
    FROM staging.eu_membership m
    WHERE EXISTS (SELECT 1 FROM staging.partner_group p WHERE p.member_iso3 = 'EU27')
),
production AS (  -- world and per-country production of each stage, preferred source first
    SELECT source, commodity, stage, year, iso3, amount, unit_basis,
           sum(amount) OVER s / nullif(sum(share) OVER s, 0) AS world_t
    FROM marts.country_share
    WHERE basis = 'production' AND NOT is_projection AND iso3 IS NOT NULL
    WINDOW s AS (PARTITION BY source, commodity, stage, year)
),
production_series AS (  -- the representative series of each year (one rule for all marts)
    SELECT DISTINCT p.source, p.commodity, p.stage, p.year, p.world_t, p.unit_basis
    FROM staging.representative_series r
    JOIN production p USING (source, commodity, stage, year)
),
partner_share AS (
    SELECT importer_iso3, commodity, stage, year,
           sum(value_usd) FILTER (WHERE is_partner) AS partner_value_usd
    FROM (
        SELECT b.*, EXISTS (
            SELECT 1 FROM partners p
            WHERE p.iso3 = b.exporter_iso3
              AND (p.from_year IS NULL OR b.year >= p.from_year)
              AND (p.to_year IS NULL OR b.year < p.to_year)) AS is_partner
        FROM staging.import_by_supplier b
    )
    GROUP BY ALL
)
SELECT
    e.supplier_iso3,
    b.importer_iso3,
    e.commodity,
    e.stage,
    e.year,
    b.value_usd AS value_at_risk_usd,
    b.value_usd / t.import_value_usd AS share_at_risk,
    (w.world_exports_usd - e.supplier_exports_usd) / b.value_usd AS alternative_supply_ratio,
    e.rank AS supplier_export_rank,
    e.supplier_exports_usd,
    (w.world_exports_usd - e.supplier_exports_usd) / e.supplier_exports_usd
        AS world_alternative_supply_ratio,
    b.quantity_t AS quantity_at_risk_t,
    t.import_value_usd,
    coalesce(ps.partner_value_usd, 0) / t.import_value_usd AS partner_group_share,
    (SELECT any_value(group_name) FROM staging.partner_group) AS partner_group,
    ps_prod.source AS production_source,
    ps_prod.year AS production_year,
    CASE WHEN ps_prod.source IS NOT NULL THEN coalesce(sp.amount, 0) END AS supplier_production_t,
    ps_prod.world_t - coalesce(sp.amount, 0) AS rest_of_world_production_t,
    (ps_prod.world_t - coalesce(sp.amount, 0)) / nullif(sp.amount, 0)
        AS production_replacement_ratio,
    (ps_prod.world_t - coalesce(sp.amount, 0)) / nullif(b.quantity_t, 0)
        AS rest_of_world_production_per_lost_t,
    tp.product_label,
    tp.includes_basket,
    ps_prod.unit_basis AS production_unit_basis
FROM exporters e
JOIN staging.import_by_supplier b
  ON b.exporter_iso3 = e.supplier_iso3 AND b.commodity = e.commodity AND b.stage = e.stage
 AND b.year = e.year
JOIN importer_totals t
  ON t.importer_iso3 = b.importer_iso3 AND t.commodity = b.commodity AND t.stage = b.stage
 AND t.year = b.year
JOIN world w ON w.commodity = e.commodity AND w.stage = e.stage AND w.year = e.year
JOIN staging.trade_products tp ON tp.commodity = e.commodity AND tp.stage = e.stage
LEFT JOIN partner_share ps
  ON ps.importer_iso3 = b.importer_iso3 AND ps.commodity = b.commodity AND ps.stage = b.stage
 AND ps.year = b.year
LEFT JOIN LATERAL (
    SELECT * FROM production_series p
    WHERE p.commodity = e.commodity AND p.stage = e.stage AND p.year <= e.year
    ORDER BY p.year DESC
    LIMIT 1
) ps_prod ON true
LEFT JOIN production sp
  ON sp.source = ps_prod.source AND sp.commodity = e.commodity AND sp.stage = e.stage
 AND sp.year = ps_prod.year AND sp.iso3 = e.supplier_iso3
WHERE b.value_usd > 0
ORDER BY e.commodity, e.stage, e.year, e.rank, b.value_usd DESC
