-- The importers `minerals prices --importer` knows: countries and blocs with annual unit values.
SELECT DISTINCT importer_iso3 FROM marts.unit_values
WHERE partner_scope = 'world_to_importer'
ORDER BY 1
