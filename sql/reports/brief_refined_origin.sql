-- `minerals brief ... --importer X`: where the importer's refined imports of the commodity come
-- from upstream (marts.refined_origin, latest year, tonnes of content): the direct exporter's
-- share beside the look-through to the origin of each exporter's feed, each side's scope stated.
SELECT year, origin_iso3, c.name AS origin, content_unit, refined_imports_t, direct_t,
       direct_share, lookthrough_t, lookthrough_share, own_feed_basis, feed_import_basis,
       refined_basis, includes_shared_codes
FROM marts.refined_origin AS r
LEFT JOIN staging.dim_country AS c ON c.iso3 = r.origin_iso3
WHERE importer_iso3 = $importer AND commodity = $commodity
QUALIFY year = max(year) OVER ()
ORDER BY lookthrough_t DESC NULLS LAST, direct_t DESC NULLS LAST
LIMIT 8
