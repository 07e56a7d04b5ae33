-- `minerals monitor`, second table: what changed since the measure each line is under, from the
-- importer's own imports from China on equal windows (marts.import_event_study): the longest
-- complete window, or why there is none. $commodity: a commodity key, or NULL for all.
WITH since AS (
    SELECT DISTINCT source, importer_iso3, nomenclature, code, since_measure_id, commodity
    FROM marts.import_monitor
    WHERE importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR') AND since_measure_id IS NOT NULL
      AND ($commodity IS NULL OR commodity = $commodity)
),
ranked AS (
    SELECT e.*,
           row_number() OVER (
               PARTITION BY e.measure_id, e.importer_iso3, e.source, e.nomenclature, e.code
               ORDER BY e.is_complete DESC, e.window_months DESC) AS pick
    FROM marts.import_event_study e
    JOIN since s
      ON (s.source, s.importer_iso3, s.nomenclature, s.code, s.since_measure_id)
       = (e.source, e.importer_iso3, e.nomenclature, e.code, e.measure_id)
    WHERE e.origin = 'CHN'
)
SELECT
    importer_iso3 AS importer,
    nomenclature || ' ' || code AS line,
    measure_id AS measure,
    strftime(effective, '%Y-%m-%d') AS effective,
    CASE WHEN is_complete THEN window_name || ' months each side' END AS "window",
    round(quantity_before_kg / 1000, 1) AS "China t before",
    round(quantity_after_kg / 1000, 1) AS "China t after",
    round(100 * quantity_change) AS "change %",
    round(unit_value_before_usd_per_kg, 1) AS "$/kg before",
    round(unit_value_after_usd_per_kg, 1) AS "$/kg after",
    round(100 * china_share_before, 1) AS "China % before",
    round(100 * china_share_after, 1) AS "China % after",
    why_no_change AS "no change because"
FROM ranked
WHERE pick = 1
ORDER BY list_position(['USA', 'JPN', 'EU27', 'GBR'], importer_iso3), line
