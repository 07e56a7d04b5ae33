-- `minerals exposure IMPORTER --look-through`: China's and Myanmar's share of the importer's
-- refined imports, direct and traced to the exporters' feed (marts.refined_origin), latest
-- year per commodity, in tonnes of content on both sides. $importer: USA, JPN, EU27 or
-- USA_JPN; $commodity: a key or NULL.
SELECT
    commodity,
    year,
    round(any_value(refined_imports_t)) AS "refined imports",
    any_value(content_unit) AS unit,
    round(100 * coalesce(sum(direct_share) FILTER (WHERE origin_iso3 = 'CHN'), 0), 1)
        AS "China direct %",
    round(100 * coalesce(sum(lookthrough_share) FILTER (WHERE origin_iso3 = 'CHN'), 0), 1)
        AS "China look-through %",
    round(100 * coalesce(sum(direct_share) FILTER (WHERE origin_iso3 = 'MMR'), 0), 1)
        AS "Myanmar direct %",
    round(100 * coalesce(sum(lookthrough_share) FILTER (WHERE origin_iso3 = 'MMR'), 0), 1)
        AS "Myanmar look-through %",
    CASE WHEN bool_or(includes_shared_codes) THEN 'basket code: upper bound' ELSE '' END
        AS basket,
    any_value(feed_import_stage) AS "feed imports"
FROM marts.refined_origin
WHERE importer_iso3 = $importer AND ($commodity IS NULL OR commodity = $commodity)
GROUP BY commodity, year
QUALIFY year = max(year) OVER (PARTITION BY commodity)
ORDER BY "China look-through %" DESC NULLS LAST, commodity
