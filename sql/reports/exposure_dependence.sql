-- `minerals exposure IMPORTER [--commodity C]`: the importer's dependence on its suppliers
-- (CEPII BACI, shares of import value), the latest year of each (commodity, stage) series. A
-- series whose trade stops before the data's latest year shows its own last year, marked "*".
-- products: the traded products the figures are on; a basket's are an upper bound (issue 26).
WITH d AS (
    SELECT *, (SELECT max(year) FROM marts.import_dependence) AS data_year
    FROM marts.import_dependence
    WHERE importer_iso3 = $importer
)
SELECT commodity, stage,
       year::VARCHAR || CASE WHEN year < data_year THEN ' *' ELSE '' END AS year,
       round(import_value_usd / 1e6, 1) AS "imports $m",
       n_suppliers AS suppliers, top_supplier_iso3 AS top,
       round(100 * top_supplier_share, 1) AS "top %",
       round(100 * china_share, 1) AS "China %", round(supplier_hhi) AS hhi,
       exceeds_eu_65pct_cap AS "over 65%", product_label AS products
FROM d
WHERE $commodity IS NULL OR commodity = $commodity
QUALIFY d.year = max(d.year) OVER (PARTITION BY commodity, stage)
ORDER BY d.year < data_year, china_share DESC, import_value_usd DESC
