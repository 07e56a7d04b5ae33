-- marts.export_share: one row per (source, commodity, stage, basis, year, iso3): each country's
-- exports of a trade series' products (CEPII BACI, all importers summed) and its share of the
-- world's exports of them, by value (USD) or by quantity (tonnes gross weight, over the flows that
-- report one). A share of exports, never of production: the top country is the top EXPORTER of
-- the products named in product_label, which a basket code makes an upper bound for the
-- commodity. Flows in staging.trade_outliers are left out.
WITH flows AS (
    SELECT f.commodity, f.stage, f.year, f.exporter_iso3, f.value_usd, f.quantity_t
    FROM staging.trade_flows_checked AS f
),
by_exporter AS (
    SELECT commodity, stage, b.basis, year, exporter_iso3 AS iso3,
           CASE b.basis WHEN 'export_value' THEN sum(value_usd) ELSE sum(quantity_t) END
               AS amount
    FROM flows
    CROSS JOIN (VALUES ('export_value'), ('export_quantity')) AS b(basis)
    GROUP BY commodity, stage, b.basis, year, exporter_iso3
    HAVING amount > 0
)
SELECT
    'baci' AS source,
    e.commodity,
    e.stage,
    e.basis,
    e.year,
    e.iso3,
    coalesce(c.name, e.iso3) AS country,
    e.amount,
    CASE e.basis WHEN 'export_value' THEN 'USD' ELSE 't' END AS unit,
    e.amount / sum(e.amount) OVER w AS share,
    rank() OVER (w ORDER BY e.amount DESC) AS rank,
    CASE e.basis WHEN 'export_value' THEN 'value' ELSE 'gross_weight' END AS unit_basis,
    p.nomenclature,
    p.hs_codes,
    p.product,
    p.includes_basket,
    p.product_label
FROM by_exporter AS e
JOIN staging.trade_products AS p USING (commodity, stage)
LEFT JOIN staging.dim_country AS c ON c.iso3 = e.iso3
WINDOW w AS (PARTITION BY e.commodity, e.stage, e.basis, e.year)
ORDER BY e.commodity, e.stage, e.basis, e.year, rank, e.iso3
