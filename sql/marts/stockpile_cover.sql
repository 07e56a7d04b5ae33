-- marts.stockpile_cover: one row per (importer or bloc, commodity, stage, year, scenario supplier
-- among the five largest exporters): the annual supply at risk if that supplier stops, the
-- stockpile that covers 3, 6 and 12 months of it, and the stocks USGS reports against it.
--   US (basis usgs_nir): apparent consumption x net import reliance x the supplier's share of
--     US imports by quantity (BACI), USGS MCS2026 salient statistics of the same year.
--   Others, and the US where USGS gives no usable NIR (basis net_imports): (imports - exports
--     by quantity, BACI, blocs counting only trade across their border) x that share.
-- Value at the importer's unit value of its imports from the supplier (BACI USD / tonnes).
WITH checked AS (  -- trade flows, those failing a plausibility test (staging.trade_outliers) left out
    SELECT * FROM staging.trade_flows AS f
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.trade_outliers AS o
        WHERE o.nomenclature = f.nomenclature AND o.year = f.year AND o.hs6 = f.hs6
          AND o.exporter_iso3 = f.exporter_iso3 AND o.importer_iso3 = f.importer_iso3)
),
totals AS (
    SELECT importer_iso3, commodity, stage, year, sum(quantity_t) AS import_quantity_t
    FROM staging.import_by_supplier
    GROUP BY ALL
),
exports AS (  -- exports by quantity of each country and of each bloc across its border
    SELECT exporter_iso3 AS iso3, commodity, stage, year, sum(quantity_t) AS export_quantity_t
    FROM checked
    GROUP BY ALL
    UNION ALL
    SELECT m.bloc, f.commodity, f.stage, f.year, sum(f.quantity_t)
    FROM checked f
    JOIN staging.bloc_members m
      ON m.iso3 = f.exporter_iso3
     AND (m.joined IS NULL OR f.year >= m.joined) AND (m."left" IS NULL OR f.year < m."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.bloc_members x
        WHERE x.bloc = m.bloc AND x.iso3 = f.importer_iso3
          AND (x.joined IS NULL OR f.year >= x.joined) AND (x."left" IS NULL OR f.year < x."left"))
    GROUP BY ALL
),
us AS (  -- the USGS NIR row to use: a number with its consumption, the whole commodity first
    SELECT commodity, year, product, nir_pct, apparent_consumption
    FROM marts.us_net_import_reliance
    WHERE nir_pct IS NOT NULL AND apparent_consumption IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY commodity, year
                               ORDER BY product <> '', product) = 1
),
stocks AS (
    SELECT commodity, year,
           sum(amount) FILTER (WHERE statistic = 'stocks_government') AS government_stocks_t,
           sum(amount) FILTER (WHERE statistic = 'stocks_industry') AS industry_stocks_t
    FROM staging.us_salient
    WHERE unit = 't' AND statistic IN ('stocks_government', 'stocks_industry')
    GROUP BY ALL
),
base AS (
    SELECT
        d.importer_iso3, d.commodity, d.stage, d.year, d.supplier_iso3,
        b.quantity_t / nullif(t.import_quantity_t, 0) AS supplier_share_quantity,
        us.product AS us_product,
        us.apparent_consumption AS apparent_consumption_t,
        us.nir_pct,
        t.import_quantity_t - coalesce(e.export_quantity_t, 0) AS net_imports_t,
        b.value_usd_with_quantity / nullif(b.quantity_t, 0) AS unit_value_usd_per_t,
        CASE WHEN d.importer_iso3 = 'USA' AND d.stage <> 'manufacturing' THEN s.government_stocks_t END
            AS government_stocks_t,
        CASE WHEN d.importer_iso3 = 'USA' AND d.stage <> 'manufacturing' THEN s.industry_stocks_t END
            AS industry_stocks_t,
        d.importer_iso3 = 'USA' AND d.stage <> 'manufacturing' AND us.nir_pct IS NOT NULL
            AS uses_usgs
    FROM marts.disruption_exposure d
    JOIN staging.import_by_supplier b
      ON b.importer_iso3 = d.importer_iso3 AND b.exporter_iso3 = d.supplier_iso3
     AND b.commodity = d.commodity AND b.stage = d.stage AND b.year = d.year
    JOIN totals t
      ON t.importer_iso3 = d.importer_iso3 AND t.commodity = d.commodity AND t.stage = d.stage
     AND t.year = d.year
    LEFT JOIN exports e
      ON e.iso3 = d.importer_iso3 AND e.commodity = d.commodity AND e.stage = d.stage
     AND e.year = d.year
    LEFT JOIN us ON d.importer_iso3 = 'USA' AND us.commodity = d.commodity AND us.year = d.year
    LEFT JOIN stocks s ON s.commodity = d.commodity AND s.year = d.year
    WHERE b.quantity_t > 0
),
at_risk AS (
    SELECT *,
           CASE WHEN uses_usgs THEN 'usgs_nir' ELSE 'net_imports' END AS basis,
           CASE WHEN uses_usgs THEN apparent_consumption_t * nir_pct / 100
                ELSE greatest(net_imports_t, 0) END * supplier_share_quantity AS annual_at_risk_t
    FROM base
)
SELECT
    importer_iso3, commodity, stage, year, supplier_iso3,
    basis,
    supplier_share_quantity,
    annual_at_risk_t,
    annual_at_risk_t / 12 AS monthly_at_risk_t,
    annual_at_risk_t * 3 / 12 AS stockpile_3m_t,
    annual_at_risk_t * 6 / 12 AS stockpile_6m_t,
    annual_at_risk_t AS stockpile_12m_t,
    government_stocks_t,
    government_stocks_t / nullif(annual_at_risk_t / 12, 0) AS government_stocks_months,
    industry_stocks_t,
    industry_stocks_t / nullif(annual_at_risk_t / 12, 0) AS industry_stocks_months,
    unit_value_usd_per_t,
    annual_at_risk_t * unit_value_usd_per_t AS annual_at_risk_value_usd,
    annual_at_risk_t * 6 / 12 * unit_value_usd_per_t AS stockpile_6m_value_usd,
    apparent_consumption_t,
    nir_pct,
    us_product,
    net_imports_t
FROM at_risk
ORDER BY importer_iso3, commodity, stage, year, annual_at_risk_t DESC
