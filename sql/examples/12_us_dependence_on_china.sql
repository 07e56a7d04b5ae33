-- US import dependence on China across minerals and stages, latest year.
SELECT commodity, stage, year, round(100 * china_share, 1) AS china_pct,
       round(import_value_usd / 1e6, 1) AS imports_musd, top_supplier_iso3,
       round(supplier_hhi) AS supplier_hhi
FROM marts.import_dependence
WHERE importer_iso3 = 'USA'
QUALIFY year = max(year) OVER (PARTITION BY commodity, stage)
ORDER BY china_share DESC
LIMIT 20;
