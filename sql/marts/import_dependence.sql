-- marts.import_dependence: one row per (importer_iso3, commodity, stage, year) from BACI bilateral
-- trade. Importers are every country (and historical BACI entity) plus EU27: extra-EU imports of
-- the EU as constituted that year (staging.eu_membership; GBR a member up to 2019), i.e. member
-- imports from non-members. Shares are of import value (0-1); supplier_hhi is 0-10,000 from
-- supplier shares in percent; exceeds_eu_65pct_cap flags a top supplier above 65% (EU Critical
-- Raw Materials Act benchmark). All mapped HS6 codes count, including shared (basket) codes:
-- includes_shared_codes says whether one contributed. import_quantity_t sums the flows that
-- report a quantity (BACI has none for some flows). Quantity basis (the publishers' basis:
-- USGS import sources, Eurostat): the same shares, HHI and China share from tonnes, over the
-- flows that report a quantity; value_share_with_quantity says how much of the value that is.
-- Blocs (USA_JPN, the partner group) as in staging.import_by_supplier.
-- Scope: product_label names the traded products (a basket code makes every figure an upper bound
-- for the commodity). Plausibility: the importer's tonnes against the world's production of the
-- same scope that year (staging.trade_products.production_*, same unit basis); above it is
-- flagged (imports_exceed_world_production). Exclusive codes cannot be above it for a country
-- (staging.trade_outliers takes the flows out); a basket or a bloc can, and says so.
WITH by_supplier AS (
    SELECT importer_iso3, commodity, stage, year, exporter_iso3, value_usd, quantity_t,
           includes_shared_codes AS is_shared, value_usd_with_quantity
    FROM staging.import_by_supplier
),
shares AS (
    SELECT
        *,
        value_usd / sum(value_usd) OVER (PARTITION BY importer_iso3, commodity, stage, year)
            AS share,
        quantity_t / sum(quantity_t) OVER (PARTITION BY importer_iso3, commodity, stage, year)
            AS quantity_share
    FROM by_supplier
),
dependence AS (
    SELECT
    importer_iso3,
    commodity,
    stage,
    year,
    sum(value_usd) AS import_value_usd,
    sum(quantity_t) AS import_quantity_t,
    count(*) FILTER (WHERE value_usd > 0) AS n_suppliers,
    first(exporter_iso3 ORDER BY value_usd DESC, exporter_iso3) AS top_supplier_iso3,
    max(share) AS top_supplier_share,
    coalesce(sum(share) FILTER (WHERE exporter_iso3 = 'CHN'), 0) AS china_share,
    sum(power(share * 100, 2)) AS supplier_hhi,
    max(share) > 0.65 AS exceeds_eu_65pct_cap,
    bool_or(is_shared) AS includes_shared_codes,
    first(exporter_iso3 ORDER BY quantity_t DESC NULLS LAST, exporter_iso3)
        FILTER (WHERE quantity_t > 0) AS top_supplier_iso3_quantity,
    max(quantity_share) AS top_supplier_share_quantity,
    CASE WHEN sum(quantity_t) > 0
         THEN coalesce(sum(quantity_share) FILTER (WHERE exporter_iso3 = 'CHN'), 0) END
        AS china_share_quantity,
    sum(power(quantity_share * 100, 2)) AS supplier_hhi_quantity,
    sum(value_usd_with_quantity) / nullif(sum(value_usd), 0) AS value_share_with_quantity
FROM shares
GROUP BY importer_iso3, commodity, stage, year
),
world_production AS (  -- the representative production series of each (commodity, stage, year)
    SELECT r.commodity, r.stage, r.year, r.source, s.world_total, s.unit_basis, s.product
    FROM staging.representative_series AS r
    JOIN marts.supply_concentration AS s USING (source, commodity, stage, basis, year)
    WHERE s.unit = 't'
),
usgs_products AS (  -- the USGS US statistic on each series' products, or on a part of them
    SELECT DISTINCT m.commodity, m.stage, c.usgs_commodity, c.usgs_product, c.usgs_relation
    FROM staging.dim_hs_mineral AS m
    JOIN staging.dim_hs_content AS c USING (nomenclature, hs6)
    WHERE m.stage <> 'exclude' AND c.usgs_relation IN ('same', 'part')
),
usgs_imports AS (
    -- the lists ordered: string_agg's order otherwise follows the threads (the text differed
    -- between two builds of the same data)
    SELECT p.commodity, p.stage, u.year, sum(u.amount) AS amount_t,
           'USGS MCS2026, US imports of ' || string_agg(DISTINCT u.commodity
               || CASE WHEN u.product <> '' THEN ' (' || u.product || ')' ELSE '' END, ', '
               ORDER BY u.commodity
               || CASE WHEN u.product <> '' THEN ' (' || u.product || ')' ELSE '' END)
               || ', ' || string_agg(DISTINCT replace(u.unit_basis, '_', ' '), ', '
                                     ORDER BY replace(u.unit_basis, '_', ' '))
               || CASE WHEN bool_or(p.usgs_relation = 'part')
                       THEN ': a part of the traded products' ELSE '' END AS what
    FROM usgs_products AS p
    JOIN staging.us_salient AS u
      ON u.commodity = p.usgs_commodity AND u.product = p.usgs_product
     AND u.statistic = 'imports' AND u.unit = 't' AND u.amount IS NOT NULL
    GROUP BY p.commodity, p.stage, u.year
)
SELECT
    d.*,
    p.product_label,
    p.includes_basket,
    w.world_total AS world_production_t,
    CASE WHEN w.world_total IS NOT NULL
         THEN p.production_commodity || ' ' || p.production_stage || ': ' || w.product || ', '
              || CASE w.source WHEN 'iea' THEN 'IEA' ELSE 'USGS' END || ' ' || d.year END
        AS world_production_scope,
    d.import_quantity_t > w.world_total AS imports_exceed_world_production,
    d.import_quantity_t / w.world_total AS imports_to_world_production,
    u.amount_t AS usgs_imports_t,
    u.what AS usgs_imports_scope
FROM dependence AS d
JOIN staging.trade_products AS p USING (commodity, stage)
LEFT JOIN world_production AS w
  ON w.commodity = p.production_commodity AND w.stage = p.production_stage AND w.year = d.year
LEFT JOIN usgs_imports AS u
  ON d.importer_iso3 = 'USA' AND u.commodity = d.commodity AND u.stage = d.stage
 AND u.year = d.year
ORDER BY d.importer_iso3, d.commodity, d.stage, d.year
