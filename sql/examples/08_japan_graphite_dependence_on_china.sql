-- How dependent is Japan on China for graphite (natural graphite, HS 2504), 1995-2024?
SELECT year, round(import_value_usd / 1e6, 1) AS imports_musd, top_supplier_iso3,
       round(100 * china_share, 1) AS china_pct, round(supplier_hhi) AS supplier_hhi,
       exceeds_eu_65pct_cap AS over_65pct
FROM marts.import_dependence
WHERE importer_iso3 = 'JPN' AND commodity = 'graphite'
ORDER BY stage, year;
