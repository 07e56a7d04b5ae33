-- `minerals controls [MEASURE]`: what each measure is measured on (codes, years), in words.
SELECT measure_id, any_value(coverage_note) AS "measured on"
FROM marts.export_control_exposure
WHERE $measure IS NULL OR measure_id = $measure
GROUP BY measure_id, effective
ORDER BY effective, measure_id
