-- Panel "Latest alerts": the 12 latest alerts of all minerals, by data year.
SELECT a.alert_key, a.year, a.kind, k.label AS kind_label, a.commodity, a.stage, a.importer_iso3,
       a.message
FROM marts.alerts a
LEFT JOIN staging.alert_kinds k USING (kind)
ORDER BY year DESC NULLS LAST, message
LIMIT 12
