-- The dashboard page: the importers and blocs with dependence figures; the page picks its
-- importer list ($importers of the panels) from these.
SELECT DISTINCT importer_iso3 FROM marts.import_dependence
