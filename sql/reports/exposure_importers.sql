-- The importers `minerals exposure` knows: every importer (and bloc) in marts.import_dependence.
SELECT DISTINCT importer_iso3 FROM marts.import_dependence ORDER BY 1
