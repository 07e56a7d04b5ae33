-- The importers `minerals scenario` knows (countries and blocs in marts.disruption_exposure).
SELECT DISTINCT importer_iso3 FROM marts.disruption_exposure ORDER BY 1
