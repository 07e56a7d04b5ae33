-- The commodities one importer has dependence figures for (`minerals exposure X --commodity C`).
SELECT DISTINCT commodity FROM marts.import_dependence WHERE importer_iso3 = $importer ORDER BY 1
