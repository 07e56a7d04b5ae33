-- Panel "Latest alerts": the 8 latest alerts of each focus mineral, by data year.
SELECT a.alert_key, a.year, a.kind, k.label AS kind_label, a.commodity, a.stage, a.importer_iso3,
       a.message
FROM marts.alerts a
LEFT JOIN staging.alert_kinds k USING (kind)
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
QUALIFY row_number() OVER (PARTITION BY commodity ORDER BY year DESC NULLS LAST, message) <= 8
ORDER BY commodity, year DESC, message
