-- Panel "Monthly imports by origin": each watched (importer, line)'s monthly imports by value
-- from China, its next three origins over the whole series, and every other origin together
-- (confidential partners included); every month the source covers with imports of the line.
-- origin_rank orders the stack and the colours: 0 China, 1-3 the next origins, 4 the rest.
WITH series AS (
    SELECT DISTINCT source, importer_iso3, nomenclature, code
    FROM marts.import_monitor
    WHERE importer_iso3 IN ('USA', 'JPN', 'EU27', 'GBR', 'BRA')
),
ranked AS (
    SELECT i.source, i.importer_iso3, i.nomenclature, i.code, i.origin_iso3,
           row_number() OVER (PARTITION BY i.source, i.importer_iso3, i.nomenclature, i.code
                              ORDER BY sum(i.value_usd) DESC, i.origin_iso3) AS rank
    FROM marts.import_monthly i JOIN series USING (source, importer_iso3, nomenclature, code)
    WHERE i.origin_iso3 NOT IN ('CHN', 'WLD')
    GROUP BY i.source, i.importer_iso3, i.nomenclature, i.code, i.origin_iso3
),
named AS (
    SELECT i.source, i.importer_iso3, i.nomenclature, i.code, i.period,
           CASE WHEN i.origin_iso3 = 'CHN' THEN 'China' ELSE i.origin_iso3 END AS origin,
           CASE WHEN i.origin_iso3 = 'CHN' THEN 0 ELSE r.rank END AS origin_rank,
           i.value_usd
    FROM marts.import_monthly i
    JOIN series USING (source, importer_iso3, nomenclature, code)
    LEFT JOIN ranked r USING (source, importer_iso3, nomenclature, code, origin_iso3)
    WHERE i.origin_iso3 = 'CHN' OR r.rank <= 3
),
rest AS (
    SELECT w.source, w.importer_iso3, w.nomenclature, w.code, w.period,
           'all other origins' AS origin, 4 AS origin_rank,
           w.value_usd - coalesce(sum(n.value_usd), 0) AS value_usd
    FROM marts.import_monthly w
    JOIN series USING (source, importer_iso3, nomenclature, code)
    LEFT JOIN named n USING (source, importer_iso3, nomenclature, code, period)
    WHERE w.origin_iso3 = 'WLD'
    GROUP BY w.source, w.importer_iso3, w.nomenclature, w.code, w.period, w.value_usd
)
SELECT source, importer_iso3, nomenclature, code, strftime(period, '%Y-%m-%d') AS period,
       origin, origin_rank, round(value_usd) AS value_usd
FROM (SELECT * FROM named UNION ALL SELECT * FROM rest)
ORDER BY source, importer_iso3, nomenclature, code, period, origin
