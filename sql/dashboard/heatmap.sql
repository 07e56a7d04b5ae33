-- Panel "Importer dependence on China": China's share of each picked importer's imports in the
-- latest year ($year), every focus (commodity, stage) any of them imports: a cell with no
-- imports has china_share null ("none").
WITH k AS (SELECT DISTINCT commodity, stage FROM marts.import_dependence
           WHERE year = $year AND commodity IN (SELECT commodity FROM staging.focus_commodities)
             AND list_contains($importers, importer_iso3)),
i AS (SELECT unnest($importers::VARCHAR[]) AS importer)
SELECT i.importer, k.commodity, k.stage, round(d.china_share, 4) AS china_share,
       round(d.import_value_usd) AS import_value_usd,
       d.top_supplier_iso3 AS top_supplier,
       round(d.top_supplier_share, 4) AS top_share, d.includes_shared_codes,
       d.product_label AS products
FROM k CROSS JOIN i
LEFT JOIN marts.import_dependence d ON d.importer_iso3 = i.importer
     AND d.commodity = k.commodity AND d.stage = k.stage AND d.year = $year
ORDER BY k.commodity, k.stage, i.importer
