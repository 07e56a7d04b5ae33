-- Where EU27 extra-EU imports exceed the Critical Raw Materials Act benchmark (no more than 65%
-- from one third country), latest year, largest share first.
SELECT commodity, stage, year, top_supplier_iso3, round(100 * top_supplier_share, 1) AS top_pct,
       round(import_value_usd / 1e6, 1) AS imports_musd, n_suppliers
FROM marts.import_dependence
WHERE importer_iso3 = 'EU27' AND exceeds_eu_65pct_cap
QUALIFY year = max(year) OVER ()
ORDER BY top_supplier_share DESC;
