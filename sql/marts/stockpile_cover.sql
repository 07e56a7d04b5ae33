-- marts.stockpile_cover: one row per (importer or bloc, commodity, stage, year, supplier among
-- the importer's OWN five largest suppliers of the series' HS codes by tonnes): the flow that
-- stops if that supplier stops, what the rest of the world could supply on the same scope, the
-- stockpile that covers 3, 6 and 12 months of the loss and the months a stockpile covers against
-- the loss. One scope per row (docs/stockpile.md has the formulas):
--   flow_stops_t: what the supplier ships to the importer (BACI tonnes, gross weight, the codes
--     of product_label; outlier flows left out), every row, net exporters included (never 0).
--   annual_at_risk_t on `basis`, one per series (importer, commodity, stage, supplier) across
--     years: `imports` = flow_stops_t; `consumption` (US series whose codes are USGS's product,
--     staging.stockpile_usgs_scope) = USGS apparent consumption x NIR x USGS's import-source
--     share of the supplier, in USGS's unit basis; null (with a note) where USGS gives no figure.
--   replacement: others' exports of the same codes (gross against gross), and others' production
--     where staging.trade_products names the production its tonnes compare with (not baskets).
WITH own AS (  -- the importer's own five largest suppliers of the series, by tonnes then value
    SELECT b.*, t.import_quantity_t, t.import_value_usd,
           row_number() OVER (
               PARTITION BY b.importer_iso3, b.commodity, b.stage, b.year
               ORDER BY b.quantity_t DESC NULLS LAST, b.value_usd DESC, b.exporter_iso3
           ) AS supplier_rank
    FROM staging.import_by_supplier b
    JOIN (SELECT importer_iso3, commodity, stage, year, sum(quantity_t) AS import_quantity_t,
                 sum(value_usd) AS import_value_usd
          FROM staging.import_by_supplier GROUP BY ALL) t
      USING (importer_iso3, commodity, stage, year)
    WHERE b.value_usd > 0
    QUALIFY supplier_rank <= 5
),
exporters AS (  -- each country's exports by tonnes, and the world's
    SELECT exporter_iso3 AS iso3, commodity, stage, year, sum(quantity_t) AS export_quantity_t,
           sum(sum(quantity_t)) OVER (PARTITION BY commodity, stage, year) AS world_export_t
    FROM staging.trade_flows_checked
    GROUP BY exporter_iso3, commodity, stage, year
),
bloc_exports AS (  -- exports of each bloc across its border
    SELECT m.bloc AS iso3, f.commodity, f.stage, f.year, sum(f.quantity_t) AS export_quantity_t
    FROM staging.trade_flows_checked f
    JOIN staging.bloc_members m
      ON m.iso3 = f.exporter_iso3
     AND (m.joined IS NULL OR f.year >= m.joined) AND (m."left" IS NULL OR f.year < m."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.bloc_members x
        WHERE x.bloc = m.bloc AND x.iso3 = f.importer_iso3
          AND (x.joined IS NULL OR f.year >= x.joined) AND (x."left" IS NULL OR f.year < x."left"))
    GROUP BY ALL
),
own_exports AS (
    SELECT iso3, commodity, stage, year, export_quantity_t FROM exporters
    UNION ALL
    SELECT * FROM bloc_exports
),
usgs AS (  -- the US series on USGS's product: its NIR, consumption and import-source table
    SELECT s.commodity, s.stage, n.year, n.product AS us_product, n.nir_pct, n.nir_flag,
           n.apparent_consumption, n.import_sources_product, n.consumption_basis
    FROM staging.stockpile_usgs_scope s
    JOIN marts.us_net_import_reliance n ON n.commodity = s.commodity AND n.product = s.nir_product
),
usgs_unit AS (  -- the unit basis of USGS's consumption row (content or gross weight)
    SELECT commodity, product, any_value(unit_basis) AS unit_basis
    FROM staging.us_salient
    WHERE statistic IN ('apparent_consumption', 'reported_consumption', 'estimated_consumption')
      AND unit = 't'
    GROUP BY ALL
),
usgs_shares AS (  -- USGS's import-source shares 2021-24, per table and country
    SELECT commodity, product, country_iso3, sum(amount) / 100 AS share
    FROM staging.us_salient
    WHERE statistic = 'import_source_share' AND country_iso3 IS NOT NULL
    GROUP BY ALL
),
stocks AS (
    SELECT commodity, year,
           sum(amount) FILTER (WHERE statistic = 'stocks_government') AS government_stocks_t,
           sum(amount) FILTER (WHERE statistic = 'stocks_industry') AS industry_stocks_t
    FROM staging.us_salient
    WHERE unit = 't' AND statistic IN ('stocks_government', 'stocks_industry')
    GROUP BY ALL
),
production AS (  -- world and per-country production of a stage, each series
    SELECT source, commodity, stage, year, iso3, amount,
           sum(amount) OVER s / nullif(sum(share) OVER s, 0) AS world_t
    FROM marts.country_share
    WHERE basis = 'production' AND NOT is_projection AND iso3 IS NOT NULL
    WINDOW s AS (PARTITION BY source, commodity, stage, year)
),
production_series AS (  -- one source per scope, every year: the newest representative one
    SELECT DISTINCT p.source, p.commodity, p.stage, p.year, p.world_t
    FROM (SELECT source, commodity, stage FROM staging.representative_series
          QUALIFY row_number() OVER (PARTITION BY commodity, stage ORDER BY year DESC) = 1) r
    JOIN production p USING (source, commodity, stage)
),
base AS (
    SELECT
        o.*,
        tp.product_label, tp.hs_codes, tp.includes_basket,
        o.import_quantity_t - coalesce(e.export_quantity_t, 0) AS net_imports_t,
        -- one basis per series: a US series on USGS's product is on consumption every year
        CASE WHEN sc.commodity IS NOT NULL THEN 'consumption' ELSE 'imports' END AS basis,
        u.us_product, u.nir_pct, u.nir_flag, u.apparent_consumption, u.import_sources_product,
        uu.unit_basis AS usgs_unit_basis,
        sh.share AS usgs_supplier_share,
        w.world_export_t - coalesce(se.export_quantity_t, 0) AS rest_of_world_exports_t,
        ps.source AS production_source,
        ps.year AS production_year,
        ps.world_t - coalesce(sp.amount, 0) AS rest_of_world_production_t,
        st.government_stocks_t, st.industry_stocks_t,
        tg.target AS policy_target, tg.target_days
    FROM own o
    JOIN staging.trade_products tp ON tp.commodity = o.commodity AND tp.stage = o.stage
    LEFT JOIN own_exports e
      ON e.iso3 = o.importer_iso3 AND e.commodity = o.commodity AND e.stage = o.stage
     AND e.year = o.year
    LEFT JOIN exporters se
      ON se.iso3 = o.exporter_iso3 AND se.commodity = o.commodity AND se.stage = o.stage
     AND se.year = o.year
    LEFT JOIN (SELECT DISTINCT commodity, stage, year, world_export_t FROM exporters) w
      ON w.commodity = o.commodity AND w.stage = o.stage AND w.year = o.year
    LEFT JOIN staging.stockpile_usgs_scope sc
      ON o.importer_iso3 = 'USA' AND sc.commodity = o.commodity AND sc.stage = o.stage
    LEFT JOIN usgs u ON u.commodity = sc.commodity AND u.stage = sc.stage AND u.year = o.year
    LEFT JOIN usgs_unit uu ON uu.commodity = sc.commodity AND uu.product = sc.nir_product
    LEFT JOIN usgs_shares sh
      ON sh.commodity = o.commodity AND sh.product = u.import_sources_product
     AND sh.country_iso3 = o.exporter_iso3
    LEFT JOIN stocks st ON u.us_product IS NOT NULL AND st.commodity = o.commodity AND st.year = o.year
    LEFT JOIN staging.stockpile_targets tg ON tg.importer_iso3 = o.importer_iso3
    -- same-scope production only: the series' tonnes compare with it, and no basket
    LEFT JOIN LATERAL (
        SELECT * FROM production_series p
        WHERE NOT tp.includes_basket
          AND p.commodity = tp.production_commodity AND p.stage = tp.production_stage
          AND p.year <= o.year
        ORDER BY p.year DESC
        LIMIT 1
    ) ps ON true
    LEFT JOIN production sp
      ON sp.source = ps.source AND sp.commodity = ps.commodity AND sp.stage = ps.stage
     AND sp.year = ps.year AND sp.iso3 = o.exporter_iso3
),
at_risk AS (
    SELECT *,
           CASE WHEN basis = 'consumption'
                THEN apparent_consumption * nir_pct / 100 * usgs_supplier_share
                ELSE quantity_t END AS annual_at_risk_t,
           -- what the stockpile and the policy target are months or days of, on the same basis
           CASE WHEN basis = 'consumption' THEN apparent_consumption ELSE import_quantity_t END
               AS reference_annual_t,
           CASE WHEN basis = 'consumption' THEN usgs_unit_basis ELSE 'gross_weight' END
               AS unit_basis,
           CASE WHEN basis = 'consumption' THEN 'usgs_mcs' ELSE 'baci' END AS source
    FROM base
)
SELECT
    importer_iso3, commodity, stage, year,
    exporter_iso3 AS supplier_iso3,
    basis,
    quantity_t / nullif(import_quantity_t, 0) AS supplier_share_quantity,
    annual_at_risk_t,
    annual_at_risk_t / 12 AS monthly_at_risk_t,
    annual_at_risk_t * 3 / 12 AS stockpile_3m_t,
    annual_at_risk_t * 6 / 12 AS stockpile_6m_t,
    annual_at_risk_t AS stockpile_12m_t,
    government_stocks_t,
    government_stocks_t / nullif(annual_at_risk_t / 12, 0) AS government_stocks_months,
    industry_stocks_t,
    industry_stocks_t / nullif(annual_at_risk_t / 12, 0) AS industry_stocks_months,
    value_usd_with_quantity / nullif(quantity_t, 0) AS unit_value_usd_per_t,
    CASE WHEN basis = 'imports' THEN value_usd_with_quantity END AS annual_at_risk_value_usd,
    CASE WHEN basis = 'imports' THEN value_usd_with_quantity * 6 / 12 END AS stockpile_6m_value_usd,
    apparent_consumption AS apparent_consumption_t,
    nir_pct,
    us_product,
    net_imports_t,
    supplier_rank,
    quantity_t AS flow_stops_t,
    value_usd AS flow_stops_value_usd,
    import_quantity_t,
    rest_of_world_exports_t,
    rest_of_world_exports_t / nullif(quantity_t, 0) AS exports_replacement_ratio,
    production_source,
    production_year,
    rest_of_world_production_t,
    rest_of_world_production_t / nullif(quantity_t, 0) AS production_replacement_ratio,
    usgs_supplier_share,
    import_sources_product AS usgs_import_sources_product,
    reference_annual_t,
    6 * reference_annual_t / nullif(annual_at_risk_t, 0) AS months_covered_by_6m_stockpile,
    policy_target,
    target_days * 12 / 365 * reference_annual_t / nullif(annual_at_risk_t, 0)
        AS policy_target_months_covered,
    unit_basis,
    source,
    product_label,
    hs_codes,
    includes_basket,
    net_imports_t < 0 AS is_net_exporter,
    concat_ws('; ',
        CASE WHEN net_imports_t < 0 THEN importer_iso3 || ' is a net exporter of these products in '
             || year || ' (exports exceed imports by ' || CAST(round(-net_imports_t) AS BIGINT)
             || ' t): the flow that stops is still lost to its buyers; its own exports could '
             || 'be kept to replace it' END,
        CASE WHEN basis = 'consumption' AND us_product IS NULL
             THEN 'USGS salient statistics (MCS2026) do not cover ' || year END,
        CASE WHEN basis = 'consumption' AND us_product IS NOT NULL AND nir_pct IS NULL
             THEN 'USGS prints no NIR figure for ' || year || ' (' || nir_flag || ')' END,
        CASE WHEN basis = 'consumption' AND nir_pct IS NOT NULL AND usgs_supplier_share IS NULL
             THEN 'USGS lists no import-source share for ' || exporter_iso3
                  || ' (within other countries)' END,
        CASE WHEN quantity_t IS NULL THEN 'BACI gives no tonnes for this flow (value only)' END,
        CASE WHEN includes_basket THEN 'a basket code: the tonnes are an upper bound' END
    ) AS note
FROM at_risk
ORDER BY importer_iso3, commodity, stage, year, supplier_rank
