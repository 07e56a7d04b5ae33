-- `minerals monitor`, the alerts: a latest month's drop (half or more) or surge (doubled or
-- more) against the same month a year earlier, worded with scope and basis, for the watched
-- importers. $commodity: a commodity key, or NULL for all.
SELECT alert_text AS alert
FROM marts.import_monitor
WHERE alert IS NOT NULL AND importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR')
  AND ($commodity IS NULL OR commodity = $commodity)
ORDER BY importer_iso3, code, origin_iso3
