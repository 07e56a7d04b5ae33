-- `minerals brief ... --importer X`: the importer's (or its members') own monthly declarations
-- of the commodity's national tariff lines (marts.import_monthly): value by month from China and
-- from every origin, each line with its scope in words (a basket line says so: upper bound).
SELECT importer_iso3, source, nomenclature, code, scope_label, is_basket, stage, period,
       sum(value_usd) FILTER (WHERE origin_iso3 = 'CHN') AS from_china_usd,
       sum(value_usd) FILTER (WHERE origin_iso3 = 'WLD') AS from_all_usd,
       any_value(valuation) AS valuation
FROM marts.import_monthly
WHERE commodity = $commodity
  AND (importer_iso3 = $importer
       OR importer_iso3 IN (  -- a bloc without lines of its own: its members'
              SELECT iso3 FROM staging.bloc_members WHERE bloc = $importer AND "left" IS NULL
                  AND NOT EXISTS (SELECT 1 FROM marts.import_monthly WHERE importer_iso3 = $importer)))
GROUP BY ALL
ORDER BY importer_iso3, code, period
