-- Panel "Monthly imports by origin": one row per (importer, line) the monitor watches (USA,
-- JPN, EU27, GBR, and Brazil, whose monthly series is the longest after the UK's), with what the
-- charts' fixed axes need and the line's scope in words.
SELECT m.source, m.importer_iso3, m.nomenclature, m.code, m.commodity, m.scope_label,
       m.is_basket, m.origins_reported,
       EXISTS (SELECT 1 FROM marts.import_monitor c
               WHERE (c.source, c.importer_iso3, c.nomenclature, c.code, c.origin_iso3)
                   = (m.source, m.importer_iso3, m.nomenclature, m.code, 'CHN'))
           AS reports_china,
       strftime(min(i.period), '%Y-%m-%d') AS first_month,
       strftime(max(i.period), '%Y-%m-%d') AS last_month,
       max(i.value_usd) AS max_value_usd,
       any_value(m.since_measure_id) AS since_measure_id,
       strftime(any_value(m.since_effective), '%Y-%m-%d') AS since_effective
FROM marts.import_monitor m
JOIN marts.import_monthly i
  ON (i.source, i.importer_iso3, i.nomenclature, i.code, i.origin_iso3)
   = (m.source, m.importer_iso3, m.nomenclature, m.code, 'WLD')
WHERE m.importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR', 'BRA') AND m.origin_iso3 = 'WLD'
GROUP BY ALL
ORDER BY list_position(['USA', 'JPN', 'EU27', 'GBR', 'BRA'], any_value(m.importer_iso3)),
         any_value(m.commodity), any_value(m.code)
