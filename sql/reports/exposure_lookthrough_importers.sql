-- The importers `minerals exposure IMPORTER --look-through` covers: those of marts.refined_origin.
SELECT DISTINCT importer_iso3 FROM marts.refined_origin ORDER BY 1
