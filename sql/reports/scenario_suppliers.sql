-- The suppliers `minerals scenario` knows: the five largest exporters of each (commodity, stage).
SELECT DISTINCT supplier_iso3 FROM marts.disruption_exposure ORDER BY 1
