-- The measures `minerals controls MEASURE` knows.
SELECT measure_id FROM staging.export_controls ORDER BY 1
