-- Panel "China's share over time" (with trade): China's share of each picked importer's imports
-- of each focus (commodity, stage) by value (CEPII BACI), every year of the series' span (a null
-- row where it skips a year: HS2017 has no 2023).
WITH s AS (
    SELECT importer_iso3 AS importer, commodity, stage, year,
           round(china_share, 4) AS china_share,
           round(import_value_usd, -3) AS import_value_usd,
           top_supplier_iso3 AS top_supplier,
           round(top_supplier_share, 3) AS top_share, product_label AS products
    FROM marts.import_dependence
    WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
      AND list_contains($importers, importer_iso3)
),
span AS (SELECT importer, commodity, stage, unnest(range(min(year), max(year) + 1)) AS year
         FROM s GROUP BY importer, commodity, stage)
SELECT * FROM span LEFT JOIN s USING (importer, commodity, stage, year)
ORDER BY importer, commodity, stage, year
