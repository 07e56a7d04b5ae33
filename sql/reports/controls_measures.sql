-- `minerals controls [MEASURE]`: the curated measures (seed data/seeds/export_controls.csv),
-- one or (measure null) every one.
SELECT measure_id, announced, effective, status, status_changed AS changed,
       coalesce(target_iso3, 'all') AS target, measure
FROM staging.export_controls
WHERE $measure IS NULL OR measure_id = $measure
ORDER BY effective, measure_id
