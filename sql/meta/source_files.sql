-- meta.source_files: every file the raw layer read in this refresh, with its hash and edition.
SELECT 'usgs_mcs' AS source, source_file, any_value(_sha256) AS sha256,
       any_value(_fetched_at) AS fetched_at, any_value(_source) AS mode,
       string_agg(DISTINCT edition, ', ') AS editions, count(*) AS raw_rows
FROM raw.usgs_mcs_production
GROUP BY source_file
UNION ALL
SELECT 'iea', source_file, any_value(_sha256), any_value(_fetched_at), any_value(_source),
       string_agg(DISTINCT edition, ', '), count(*)
FROM raw.iea_supply
GROUP BY source_file
ORDER BY source, source_file
