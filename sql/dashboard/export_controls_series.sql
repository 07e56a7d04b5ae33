-- Panel "Export controls": China's share of the trade in each measure's codes (its chosen
-- nomenclature, as in export_controls.sql) for the world and the picked importers
-- ($destinations), $from on; a null row for a year the series skips (HS2017: 2022 and 2024 only),
-- drawn as a gap.
WITH chosen AS (
    SELECT measure_id, nomenclature FROM marts.export_control_exposure
    WHERE importer_iso3 = 'WORLD' AND nomenclature IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY measure_id
        ORDER BY year DESC, nomenclature = 'HS92' DESC) = 1
),
s AS (
    SELECT measure_id, importer_iso3 AS importer, year,
           round(covered_share, 4) AS covered_share,
           round(covered_value_usd) AS covered_value_usd
    FROM marts.export_control_exposure
    JOIN chosen USING (measure_id, nomenclature)
    WHERE list_contains($destinations, importer_iso3) AND year >= $from
),
span AS (SELECT measure_id, importer, unnest(range(min(year), max(year) + 1)) AS year
         FROM s GROUP BY measure_id, importer)
SELECT * FROM span LEFT JOIN s USING (measure_id, importer, year)
ORDER BY measure_id, importer, year
