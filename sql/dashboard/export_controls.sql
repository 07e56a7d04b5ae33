-- Panel "Export controls": each curated measure, with China's share of the world's trade in its
-- codes in the latest year. One nomenclature per measure (the grain includes it): the one
-- reaching the latest year, HS92's long series when both do.
WITH chosen AS (
    SELECT measure_id, nomenclature FROM marts.export_control_exposure
    WHERE importer_iso3 = 'WORLD' AND nomenclature IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY measure_id
        ORDER BY year DESC, nomenclature = 'HS92' DESC) = 1
),
notes AS (SELECT measure_id, any_value(coverage_note) AS coverage_note
          FROM marts.export_control_exposure GROUP BY measure_id)
SELECT m.measure_id, m.measure, m.commodities, m.status,
       strftime(m.effective, '%Y-%m-%d') AS effective, m.target_iso3,
       year(m.effective) + (month(m.effective) - 1) / 12 AS effective_year,
       w.nomenclature, w.year AS last_year, w.covered_share, w.covered_value_usd,
       w.total_value_usd,
       coalesce(w.includes_shared_codes, false) AS includes_shared_codes,
       n.coverage_note
FROM staging.export_controls m
LEFT JOIN (SELECT e.* FROM marts.export_control_exposure e
           JOIN chosen USING (measure_id, nomenclature)
           WHERE importer_iso3 = 'WORLD'
           QUALIFY year = max(year) OVER (PARTITION BY measure_id)) w
     USING (measure_id)
LEFT JOIN notes n USING (measure_id)
ORDER BY m.effective, m.measure_id
