-- The exports' Excel workbook, sheet stockpile_cover: the latest year of each (importer,
-- commodity, stage, basis) series; every year is in stockpile_cover.parquet.
SELECT *
FROM marts.stockpile_cover
QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity, stage, basis)
ORDER BY importer_iso3, commodity, stage, basis, supplier_iso3
