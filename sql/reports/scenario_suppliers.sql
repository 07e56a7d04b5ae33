-- The suppliers `minerals scenario` knows: the five largest exporters of each (commodity, stage)
-- and each importer's own five largest suppliers.
SELECT supplier_iso3 FROM marts.disruption_exposure
UNION
SELECT supplier_iso3 FROM marts.stockpile_cover
ORDER BY 1
