-- Panel "Latest alerts": the 8 latest alerts of each focus mineral, by data year.
SELECT alert_key, year, kind, commodity, stage, importer_iso3, message
FROM marts.alerts
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
QUALIFY row_number() OVER (PARTITION BY commodity ORDER BY year DESC NULLS LAST, message) <= 8
ORDER BY commodity, year DESC, message
