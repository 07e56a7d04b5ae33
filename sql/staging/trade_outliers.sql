-- staging.trade_outliers: the BACI flows that fail a test against what publishers print, one row
-- per (flow, reason). staging.trade_flows_checked leaves these flows out, and every share,
-- concentration and alert reads it; the WARN check trade_outliers_found names the largest.
-- The tests (thresholds and why: docs/trade-checks.md):
--   unit_value_far_from_median    the flow's unit value is more than 10x away from both the
--                                 code's world median that year and the exporter's own median
--                                 (tonne-weighted, the flow left out), for flows of at least 1%
--                                 of the code's world tonnes (smaller ones cannot move a
--                                 quantity share by a point); not for baskets (811292 mixes
--                                 vanadium at tens of thousands of USD/t with germanium at two
--                                 million);
--   exceeds_usgs_us_exports       a US export flow larger than twice what USGS prints for all
--   exceeds_usgs_us_imports       US exports (imports) of the same product (staging.dim_hs_content:
--                                 usgs_relation same or broader), same unit basis only (mirror
--                                 gaps of tens of percent are common: one flow twice the
--                                 country's total is not a gap);
--   exceeds_exporter_supply       a flow larger than 3x the exporter's production plus its
--                                 imports of the same scope that year (codes that compare with
--                                 a production series on the same unit basis; not baskets):
--                                 USGS estimates small producers and stocks are drawn, so
--                                 less than 3x is not proof;
--   imports_exceed_world_production  an importer's imports of a single-mineral scope above the
--                                 world's production of it that year (same unit basis): its
--                                 largest flows, until the rest fits. Baskets are flagged in
--                                 marts.import_dependence instead (an upper bound, not an error).
-- Each absolute floor (100 t, 1,000 t) keeps rounding noise of small figures out.
WITH flows AS (
    SELECT f.nomenclature, f.year, f.hs6, f.commodity, f.stage, f.exporter_iso3,
           f.importer_iso3, f.value_usd, f.quantity_t,
           f.value_usd / nullif(f.quantity_t, 0) AS unit_value_usd_per_t,
           c.basket, c.production_commodity, c.production_stage, c.usgs_commodity,
           c.usgs_product, c.usgs_relation, c.usgs_compare
    FROM staging.trade_flows AS f
    JOIN staging.dim_hs_content AS c USING (nomenclature, hs6)
),
-- 1. unit values. Each flow of at least 1% of its code's world tonnes that year is compared with
-- two medians, both weighted by tonnes and leaving the flow itself out (a flow of 91% of the
-- tonnes must not set its own benchmark): the code's world median, and the exporter's median to
-- its other partners (a code that mixes grades, nickel laterite at $30/t and sulfide concentrate
-- at $2,000/t, has a median far from either, but each exporter ships one grade). A flow more than
-- 10x away from both fails.
ranked AS (
    SELECT nomenclature, hs6, year, exporter_iso3, importer_iso3, quantity_t,
           unit_value_usd_per_t AS uv,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year
                                 ORDER BY unit_value_usd_per_t, exporter_iso3, importer_iso3
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS world_below,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year) AS world_t,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year, exporter_iso3
                                 ORDER BY unit_value_usd_per_t, importer_iso3
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS own_below,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year, exporter_iso3) AS own_t
    FROM flows
    WHERE quantity_t > 0
),
material AS (SELECT * FROM ranked WHERE quantity_t >= 0.01 * world_t),
world_median AS (  -- the smallest unit value with half the other flows' tonnes at or below it
    SELECT m.nomenclature, m.hs6, m.year, m.exporter_iso3, m.importer_iso3, min(r.uv) AS median
    FROM material AS m
    JOIN ranked AS r USING (nomenclature, hs6, year)
    WHERE NOT (r.exporter_iso3 = m.exporter_iso3 AND r.importer_iso3 = m.importer_iso3)
      AND r.world_below - CASE WHEN (m.uv, m.exporter_iso3, m.importer_iso3)
                                    <= (r.uv, r.exporter_iso3, r.importer_iso3)
                               THEN m.quantity_t ELSE 0 END >= (m.world_t - m.quantity_t) / 2
    GROUP BY ALL
),
own_median AS (
    SELECT m.nomenclature, m.hs6, m.year, m.exporter_iso3, m.importer_iso3, min(r.uv) AS median
    FROM material AS m
    JOIN ranked AS r USING (nomenclature, hs6, year, exporter_iso3)
    WHERE r.importer_iso3 <> m.importer_iso3
      AND r.own_below - CASE WHEN (m.uv, m.importer_iso3) <= (r.uv, r.importer_iso3)
                             THEN m.quantity_t ELSE 0 END >= (m.own_t - m.quantity_t) / 2
    GROUP BY ALL
),
unit_value AS (
    SELECT f.*, 'unit_value_far_from_median' AS reason,
           w.median AS reference,
           'USD/t: world median unit value of HS ' || f.hs6 || ', ' || f.year
               || ' (weighted by tonnes, this flow left out)'
               || CASE WHEN o.median IS NOT NULL THEN '; ' || f.exporter_iso3
                       || '''s median to its other partners ' || round(o.median)::BIGINT
                       || ' USD/t' ELSE '' END AS reference_what,
           'BACI' AS reference_source
    FROM flows AS f
    JOIN world_median AS w USING (nomenclature, hs6, year, exporter_iso3, importer_iso3)
    LEFT JOIN own_median AS o USING (nomenclature, hs6, year, exporter_iso3, importer_iso3)
    WHERE f.basket <> 'commodity'  -- a basket's metals differ in price by design
      AND (f.unit_value_usd_per_t < w.median / 10 OR f.unit_value_usd_per_t > w.median * 10)
      AND (o.median IS NULL OR f.unit_value_usd_per_t < o.median / 10
           OR f.unit_value_usd_per_t > o.median * 10)
),
-- 2. US flows against USGS's US salient statistics of the same product
usgs AS (
    SELECT commodity, product, statistic, year, sum(amount) AS amount_t,
           bool_and(unit_basis = 'gross_weight') AS gross_weight
    FROM staging.us_salient
    WHERE statistic IN ('exports', 'imports') AND unit = 't' AND amount IS NOT NULL
      AND country_iso3 = 'USA'
    GROUP BY ALL
),
us_mirror AS (
    SELECT f.*,
           CASE WHEN f.exporter_iso3 = 'USA' THEN 'exceeds_usgs_us_exports'
                ELSE 'exceeds_usgs_us_imports' END AS reason,
           u.amount_t AS reference,
           't: USGS MCS2026, US ' || u.statistic || ' of ' || u.commodity
               || CASE WHEN u.product <> '' THEN ' (' || u.product || ')' ELSE '' END
               || ', ' || f.year AS reference_what,
           'USGS' AS reference_source
    FROM flows AS f
    JOIN usgs AS u
      ON u.commodity = f.usgs_commodity AND u.product = f.usgs_product AND u.year = f.year
     AND u.statistic = CASE WHEN f.exporter_iso3 = 'USA' THEN 'exports' ELSE 'imports' END
    WHERE 'USA' IN (f.exporter_iso3, f.importer_iso3)
      AND f.usgs_relation IN ('same', 'broader')
      AND (f.usgs_compare = 'pure_product' OR (f.usgs_compare = 'gross_weight' AND u.gross_weight))
      AND f.quantity_t > 2 * u.amount_t AND f.quantity_t - u.amount_t >= 100
),
-- world and country production of each (commodity, stage, year): the representative series
-- (staging.representative_series: USGS for mining, IEA for refining where it publishes it)
production AS (
    SELECT r.commodity, r.stage, r.year, r.source, s.world_total, s.unit, s.unit_basis
    FROM staging.representative_series AS r
    JOIN marts.supply_concentration AS s USING (source, commodity, stage, basis, year)
    WHERE s.unit = 't'
),
country_production AS (
    SELECT p.commodity, p.stage, p.year, c.iso3, c.amount
    FROM production AS p
    JOIN marts.country_share AS c USING (source, commodity, stage, year)
    WHERE c.amount IS NOT NULL
),
-- imports of each country of the codes that compare with one production series
scope_imports AS (
    SELECT importer_iso3 AS iso3, production_commodity, production_stage, year,
           sum(quantity_t) AS imports_t
    FROM flows
    WHERE production_commodity <> '' AND quantity_t IS NOT NULL
    GROUP BY ALL
),
-- 3. an exporter shipping more than it produced and imported
exporter_supply AS (
    SELECT f.*, 'exceeds_exporter_supply' AS reason,
           cp.amount + coalesce(i.imports_t, 0) AS reference,
           't: ' || f.exporter_iso3 || ' production of ' || f.production_commodity || ' '
               || f.production_stage || ' (' || p.source || ', ' || round(cp.amount)::BIGINT
               || ' t) plus its imports of the same scope (BACI, '
               || round(coalesce(i.imports_t, 0))::BIGINT || ' t), ' || f.year AS reference_what,
           upper(replace(p.source, '_mcs', '')) || ' + BACI' AS reference_source
    FROM flows AS f
    JOIN production AS p
      ON p.commodity = f.production_commodity AND p.stage = f.production_stage
     AND p.year = f.year
    JOIN country_production AS cp
      ON cp.commodity = f.production_commodity AND cp.stage = f.production_stage
     AND cp.year = f.year AND cp.iso3 = f.exporter_iso3
    LEFT JOIN scope_imports AS i
      ON i.iso3 = f.exporter_iso3 AND i.production_commodity = f.production_commodity
     AND i.production_stage = f.production_stage AND i.year = f.year
    WHERE f.basket <> 'commodity'
      AND f.quantity_t > 3 * (cp.amount + coalesce(i.imports_t, 0))
      AND f.quantity_t - (cp.amount + coalesce(i.imports_t, 0)) >= 1000
),
-- 4. an importer taking in more than the world produced: its largest flows, until the rest fits
importer_flows AS (
    SELECT f.*, p.world_total, p.source AS production_source,
           sum(f.quantity_t) OVER (PARTITION BY f.importer_iso3, f.production_commodity,
                                                f.production_stage, f.year) AS imports_t,
           coalesce(sum(f.quantity_t) OVER (
               PARTITION BY f.importer_iso3, f.production_commodity, f.production_stage, f.year
               ORDER BY f.quantity_t DESC, f.exporter_iso3, f.hs6
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS larger_flows_t
    FROM flows AS f
    JOIN production AS p
      ON p.commodity = f.production_commodity AND p.stage = f.production_stage
     AND p.year = f.year
    WHERE f.basket <> 'commodity' AND f.quantity_t > 0
),
importer_supply AS (
    SELECT * EXCLUDE (world_total, production_source, imports_t, larger_flows_t),
           'imports_exceed_world_production' AS reason,
           world_total AS reference,
           't: world production of ' || production_commodity || ' ' || production_stage || ' ('
               || production_source || ', ' || year || '), against ' || importer_iso3
               || '''s imports of the same scope (' || round(imports_t)::BIGINT || ' t)'
               AS reference_what,
           upper(replace(production_source, '_mcs', '')) AS reference_source
    FROM importer_flows
    WHERE imports_t > world_total AND imports_t - larger_flows_t > world_total
),
failed AS (
    SELECT * FROM unit_value
    UNION ALL BY NAME SELECT * FROM us_mirror
    UNION ALL BY NAME SELECT * FROM exporter_supply
    UNION ALL BY NAME SELECT * FROM importer_supply
)
SELECT
    nomenclature, year, hs6, commodity, stage, exporter_iso3, importer_iso3, reason,
    value_usd, quantity_t, unit_value_usd_per_t,
    reference,
    reference_what,
    reference_source,
    CASE WHEN reason = 'unit_value_far_from_median' THEN unit_value_usd_per_t / reference
         ELSE quantity_t / nullif(reference, 0) END AS ratio,
    exporter_iso3 || ' -> ' || importer_iso3 || ', HS ' || hs6 || ' (' || nomenclature || '), '
        || year || ': '
        || CASE WHEN reason = 'unit_value_far_from_median'
                THEN format('{:,} t at {:,} USD/t, against {:,} ', round(quantity_t)::BIGINT,
                            round(unit_value_usd_per_t)::BIGINT, round(reference)::BIGINT)
                     || reference_what
                ELSE format('{:,} t, against {:,} ', round(quantity_t)::BIGINT,
                            round(reference)::BIGINT) || reference_what END AS detail
FROM failed
ORDER BY year, hs6, exporter_iso3, importer_iso3, reason
