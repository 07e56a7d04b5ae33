-- Panel "Importer dependence on China": the latest year of the trade data.
SELECT max(year) AS year FROM marts.import_dependence
