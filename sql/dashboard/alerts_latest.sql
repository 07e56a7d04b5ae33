-- Panel "Latest alerts": the 12 latest alerts of all minerals, by data year.
SELECT alert_key, year, kind, commodity, stage, importer_iso3, message
FROM marts.alerts
ORDER BY year DESC NULLS LAST, message
LIMIT 12
