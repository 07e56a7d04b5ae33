-- marts.unit_values: trade unit values (value / quantity) on one scope per row.
--   annual (BACI): every bilateral flow, each exporter's exports to the world (WLD) and each
--   importer's imports from the world (countries and blocs, a bloc counting only imports from
--   outside it); flows staging.trade_outliers names are left out (counted in
--   outlier_flows_excluded); the unit value counts the flows that report a quantity.
--   monthly, exporter-declared (UN Comtrade): China's exports by destination (FOB);
--   monthly, importer-declared (issue 28's marts.import_monthly): each importer's imports of its
--   mapped national lines (CN8, HTS-10, NCM8 ...; code) by origin and from every origin (WLD),
--   as the importer values them (CIF; US customs value), net mass with issue 28's recording
--   outliers left out; a national line can split an HS6 basket (UK CN8 81129289 gallium).
-- Beside each row: the code's world median unit value that year, weighted by tonnes over every
-- bilateral flow that is not an outlier (half the world's tonnes are priced at or below it);
-- a monthly row takes the median of the code in its own nomenclature, or of the same product in
-- another (staging.hs_same_product). A basket code's unit value is the mix's: labelled so.
WITH content AS (
    SELECT nomenclature, hs6, basket,
        'HS ' || hs6 || ': ' || product || CASE basket
            WHEN 'commodity' THEN ' (a basket of several minerals: its unit value is the mix''s, '
                || 'not any one mineral''s price)'
            WHEN 'element' THEN ' (several elements or grades: not one element''s price)'
            ELSE '' END AS product_label
    FROM staging.dim_hs_content
),
flows AS (
    SELECT f.nomenclature, f.hs6, f.year, f.commodity, f.stage, f.exporter_iso3,
           f.importer_iso3, f.value_usd, f.quantity_t,
           EXISTS (SELECT 1 FROM staging.trade_outliers AS o
                   WHERE o.nomenclature = f.nomenclature AND o.year = f.year AND o.hs6 = f.hs6
                     AND o.exporter_iso3 = f.exporter_iso3
                     AND o.importer_iso3 = f.importer_iso3) AS is_outlier
    FROM staging.trade_flows AS f
),
kept AS (SELECT * FROM flows WHERE NOT is_outlier),
ranked AS (  -- tonne-weighted median per code and year, over the bilateral flows kept
    SELECT nomenclature, hs6, year, value_usd / quantity_t AS uv,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year
                                 ORDER BY value_usd / quantity_t, exporter_iso3, importer_iso3
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS below_t,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year) AS world_t
    FROM kept
    WHERE quantity_t > 0
),
world_median AS (
    SELECT nomenclature, hs6, year, min(uv) AS median_usd_per_t,
           count(*) AS median_flows
    FROM ranked WHERE below_t >= world_t / 2
    GROUP BY ALL
),
bloc_imports AS (  -- a bloc's imports from outside it, by member-year
    SELECT b.bloc AS importer_iso3, f.*  EXCLUDE (importer_iso3)
    FROM flows AS f
    JOIN staging.bloc_members AS b
        ON b.iso3 = f.importer_iso3
       AND (b.joined IS NULL OR f.year >= b.joined) AND (b."left" IS NULL OR f.year < b."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.bloc_members AS x
        WHERE x.bloc = b.bloc AND x.iso3 = f.exporter_iso3
          AND (x.joined IS NULL OR f.year >= x.joined) AND (x."left" IS NULL OR f.year < x."left"))
),
annual AS (
    SELECT 'bilateral' AS partner_scope, nomenclature, hs6, year, commodity, stage,
           exporter_iso3, importer_iso3, value_usd, quantity_t, is_outlier
    FROM flows
    UNION ALL
    SELECT 'exporter_to_world', nomenclature, hs6, year, commodity, stage,
           exporter_iso3, 'WLD', value_usd, quantity_t, is_outlier
    FROM flows
    UNION ALL
    SELECT 'world_to_importer', nomenclature, hs6, year, commodity, stage,
           'WLD', importer_iso3, value_usd, quantity_t, is_outlier
    FROM flows
    UNION ALL
    SELECT 'world_to_importer', nomenclature, hs6, year, commodity, stage,
           'WLD', importer_iso3, value_usd, quantity_t, is_outlier
    FROM bloc_imports
),
annual_values AS (
    SELECT 'annual' AS frequency, 'baci' AS source, 'BACI (reconciled, FOB)' AS declared_by,
           partner_scope, nomenclature, hs6, any_value(commodity) AS commodity,
           any_value(stage) AS stage, exporter_iso3, importer_iso3,
           make_date(year, 1, 1) AS period, year, NULL::INT AS month,
           sum(value_usd) FILTER (WHERE NOT is_outlier) AS value_usd,
           sum(quantity_t) FILTER (WHERE NOT is_outlier AND quantity_t > 0) AS quantity_t,
           sum(value_usd) FILTER (WHERE NOT is_outlier AND quantity_t > 0)
               AS value_with_quantity_usd,
           count(*) FILTER (WHERE NOT is_outlier) AS n_flows,
           count(*) FILTER (WHERE is_outlier) AS outlier_flows_excluded
    FROM annual
    GROUP BY partner_scope, nomenclature, hs6, exporter_iso3, importer_iso3, year
),
monthly_values AS (
    SELECT 'monthly' AS frequency, source, 'exporter (China, FOB)' AS declared_by,
           'bilateral' AS partner_scope, m.nomenclature, m.hs6, d.commodity, d.stage,
           reporter_iso3 AS exporter_iso3, partner_iso3 AS importer_iso3,
           period, year(period) AS year, month(period) AS month,
           sum(value_usd) AS value_usd,
           sum(quantity / 1000) FILTER (WHERE quantity > 0) AS quantity_t,
           sum(value_usd) FILTER (WHERE quantity > 0) AS value_with_quantity_usd,
           count(*) AS n_flows, 0 AS outlier_flows_excluded
    FROM staging.trade_monthly AS m
    JOIN (SELECT hs6, any_value(commodity) AS commodity, any_value(stage) AS stage
          FROM staging.dim_hs_mineral WHERE stage <> 'exclude' GROUP BY hs6) AS d USING (hs6)
    WHERE flow = 'X' AND NOT is_aggregate_partner AND partner_iso3 IS NOT NULL
    GROUP BY ALL
),
partner_values AS (
    SELECT 'monthly' AS frequency, source,
           'importer (' || source || ', ' || coalesce(valuation, 'as declared') || ')'
               AS declared_by,
           CASE origin_iso3 WHEN 'WLD' THEN 'world_to_importer' ELSE 'bilateral' END
               AS partner_scope,
           nomenclature, hs6, commodity, stage, origin_iso3 AS exporter_iso3, importer_iso3,
           period, year(period) AS year, month(period) AS month, value_usd,
           quantity_kg_checked / 1000 AS quantity_t, value_with_quantity_usd,
           n_reporters AS n_flows, outlier_partners AS outlier_flows_excluded,
           code, scope_label, is_basket AS line_is_basket
    FROM marts.import_monthly
),
unit_values AS (  -- a BACI or Comtrade row's code is its HS6 code; a national line's its own
    SELECT *, value_with_quantity_usd / nullif(quantity_t, 0) AS unit_value_usd_per_t
    FROM (SELECT *, hs6 AS code, NULL AS scope_label, NULL::BOOLEAN AS line_is_basket
          FROM annual_values
          UNION ALL
          SELECT *, hs6, NULL, NULL FROM monthly_values
          UNION ALL
          SELECT * FROM partner_values)
),
median_for AS (  -- the median each (nomenclature, code, year) is shown with: its own, else the
                 -- same product's in the nearest other nomenclature that has one that year
    SELECT nomenclature, hs6, year, median_usd_per_t, median_nomenclature
    FROM (
        SELECT k.nomenclature, k.hs6, k.year, w.median_usd_per_t,
               w.nomenclature AS median_nomenclature,
               row_number() OVER (PARTITION BY k.nomenclature, k.hs6, k.year
                                  ORDER BY w.nomenclature = k.nomenclature DESC,
                                           w.nomenclature DESC) AS pick
        FROM (SELECT DISTINCT nomenclature, hs6, year FROM unit_values) AS k
        JOIN world_median AS w
            ON w.hs6 = k.hs6 AND w.year = k.year
           AND (w.nomenclature = k.nomenclature OR EXISTS (
                SELECT 1 FROM staging.hs_same_product AS s
                WHERE s.nomenclature = k.nomenclature AND s.hs6 = k.hs6
                  AND s.same_as_nomenclature = w.nomenclature))
    )
    WHERE pick = 1
),
content_for AS (  -- each (nomenclature, code)'s content: its own row, else the same code's in
                  -- the latest nomenclature the seed describes (an HS2022 line of a code the
                  -- seed lists for HS2017 only); a code it does not describe is labelled by number
    SELECT k.nomenclature, k.hs6, c.basket, c.product_label
    FROM (SELECT DISTINCT nomenclature, hs6 FROM unit_values) AS k
    LEFT JOIN content AS c ON c.hs6 = k.hs6
    QUALIFY row_number() OVER (PARTITION BY k.nomenclature, k.hs6
                               ORDER BY c.nomenclature = k.nomenclature DESC,
                                        c.nomenclature DESC) = 1
)
SELECT
    u.frequency, u.source, u.declared_by, u.partner_scope, u.nomenclature, u.hs6,
    u.commodity, u.stage,
    coalesce(u.scope_label, c.product_label, 'HS ' || u.hs6) AS product_label,
    coalesce(u.line_is_basket, coalesce(c.basket, '') <> '') AS is_basket,
    u.exporter_iso3, u.importer_iso3, u.period, u.year, u.month,
    u.value_usd, u.quantity_t, u.value_with_quantity_usd,
    u.unit_value_usd_per_t, u.unit_value_usd_per_t / 1000 AS unit_value_usd_per_kg,
    u.n_flows, u.outlier_flows_excluded,
    m.median_usd_per_t AS world_median_usd_per_t,
    m.median_nomenclature AS world_median_nomenclature,
    u.unit_value_usd_per_t / nullif(m.median_usd_per_t, 0) - 1 AS vs_world_median,
    u.code
FROM unit_values AS u
LEFT JOIN content_for AS c USING (nomenclature, hs6)
LEFT JOIN median_for AS m USING (nomenclature, hs6, year)
