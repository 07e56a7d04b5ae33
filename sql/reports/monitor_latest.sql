-- `minerals monitor [COMMODITY]`, first table: the latest month of each controlled line for the
-- watched importers (USA, JPN, EU27, GBR), imports from China and from all origins against the
-- same month a year earlier (net mass checked, or value where the publisher gives no mass), the
-- alert if any, and the measure the line has been under since. China's columns are blank where
-- the source's extract holds no China rows for the importer (origins = what it holds).
-- $commodity: a commodity key, or NULL for all.
SELECT
    w.importer_iso3 AS importer,
    w.source,
    w.nomenclature || ' ' || w.code AS line,
    w.product || CASE WHEN w.is_basket THEN ' [basket: upper bound]' ELSE '' END AS product,
    strftime(w.period, '%Y-%m') AS month,
    round(c.quantity_kg / 1000, 1) AS "China t",
    round(100 * c.quantity_change) AS "China t vs yr ago %",
    round(c.value_usd / 1e6, 2) AS "China $m",
    round(w.quantity_kg / 1000, 1) AS "all t",
    w.origins_reported AS origins,
    round(100 * w.quantity_change) AS "all t vs yr ago %",
    round(100 * c.value_usd / nullif(w.value_usd, 0), 1) AS "China % of value",
    coalesce(c.alert, w.alert) AS alert,
    w.since_measure_id || ' (' || strftime(w.since_effective, '%Y-%m-%d') || ', '
        || w.since_status || ')' AS since
FROM marts.import_monitor w
LEFT JOIN marts.import_monitor c
  ON (c.source, c.importer_iso3, c.nomenclature, c.code, c.origin_iso3)
   = (w.source, w.importer_iso3, w.nomenclature, w.code, 'CHN')
WHERE w.origin_iso3 = 'WLD'
  AND w.importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR')
  AND ($commodity IS NULL OR w.commodity = $commodity)
ORDER BY list_position(['USA', 'JPN', 'EU27', 'GBR'], w.importer_iso3), w.commodity, line
