-- `minerals monitor`, third table: the watched importers' monthly imports of the commodity's
-- controlled lines from China, every month the source covers (a covered month without a row had
-- no recorded imports; a blank mass: the publisher gives none), with China's share of the line
-- by value; only where the source's extract holds China rows for the importer. $commodity: a
-- commodity key, or NULL for all.
WITH lines AS (
    SELECT DISTINCT source, importer_iso3, nomenclature, code
    FROM marts.import_monitor
    WHERE importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR') AND origin_iso3 = 'CHN'
      AND ($commodity IS NULL OR commodity = $commodity)
)
SELECT
    strftime(w.period, '%Y-%m') AS month,
    w.importer_iso3 AS importer,
    w.nomenclature || ' ' || w.code AS line,
    round(CASE WHEN c.period IS NULL THEN 0 ELSE c.quantity_kg_checked END / 1000, 1)
        AS "China t",
    round(coalesce(c.value_usd, 0) / 1e6, 2) AS "China $m",
    round(c.unit_value_usd_per_kg, 1) AS "China $/kg",
    round(100 * coalesce(c.value_usd, 0) / nullif(w.value_usd, 0), 1) AS "China % of value",
    round(w.quantity_kg_checked / 1000, 1) AS "all t"
FROM marts.import_monthly w
JOIN lines l USING (source, importer_iso3, nomenclature, code)
LEFT JOIN marts.import_monthly c
  ON (c.source, c.importer_iso3, c.nomenclature, c.code, c.period, c.origin_iso3)
   = (w.source, w.importer_iso3, w.nomenclature, w.code, w.period, 'CHN')
WHERE w.origin_iso3 = 'WLD'
ORDER BY list_position(['USA', 'JPN', 'EU27', 'GBR'], w.importer_iso3), line, w.period
