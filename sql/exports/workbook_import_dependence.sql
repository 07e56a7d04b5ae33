-- The exports' Excel workbook, sheet import_dependence: the latest year of each (importer,
-- commodity, stage) series; every year is in import_dependence.parquet.
SELECT *
FROM marts.import_dependence
QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity, stage)
ORDER BY importer_iso3, commodity, stage
