-- `minerals brief`: the event-study windows left out because a window is not covered month by
-- month (the reason in words), per measure, code and destination, for one line under the table.
WITH destinations AS (
    SELECT $importer AS destination
    UNION SELECT iso3 FROM staging.bloc_members  -- a bloc without rows of its own: its members
          WHERE bloc = $importer AND "left" IS NULL
            AND NOT EXISTS (SELECT 1 FROM marts.export_control_event_study
                            WHERE destination = $importer)
    UNION SELECT 'ALL'
)
SELECT measure_id, hs6, destination, window_months, change_null_reason
FROM marts.export_control_event_study
WHERE measure_id IN (SELECT measure_id FROM staging.export_controls
                     WHERE list_contains(commodities, $commodity))
  AND destination IN (SELECT destination FROM destinations)
  AND NOT (months_before = window_months AND months_after = window_months)
ORDER BY measure_id, hs6, destination, window_months
