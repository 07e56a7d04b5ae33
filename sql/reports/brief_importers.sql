-- `minerals brief ... --importer X`: the importers (countries and blocs) a brief can follow:
-- those marts.import_dependence measures.
SELECT DISTINCT importer_iso3 FROM marts.import_dependence ORDER BY 1
