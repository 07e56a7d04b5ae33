-- Panel "China's monthly exports under each export control": the 12-month event study of each
-- (measure, hs6, destination): the months each window covers, and the change only where both
-- windows are complete (else the reason), with a basket code's note.
SELECT measure_id, hs6, destination, window_months,
       strftime(before_covered_from, '%Y-%m') AS before_from,
       strftime(before_covered_to, '%Y-%m') AS before_to, months_before,
       strftime(after_covered_from, '%Y-%m') AS after_from,
       strftime(after_covered_to, '%Y-%m') AS after_to, months_after,
       round(value_change, 4) AS value_change, change_null_reason, shared_code_note
FROM marts.export_control_event_study
WHERE window_months = 12 AND list_contains($destinations, destination)
ORDER BY measure_id, hs6, destination
