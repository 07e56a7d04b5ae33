-- Panel "China's monthly exports under each export control": one row per (measure, hs6) with
-- what the charts' fixed axes need (first and last month, the largest month per destination)
-- and whether the code is shared (its figures are upper bounds).
SELECT c.measure_id, c.hs6, m.measure, m.commodities, m.status,
       strftime(m.effective, '%Y-%m-%d') AS effective,
       strftime(min(c.period), '%Y-%m-%d') AS first_month,
       strftime(max(c.period), '%Y-%m-%d') AS last_month,
       bool_or(c.is_shared_code) AS is_shared_code,
       max(c.value_usd) FILTER (WHERE c.destination = 'USA') AS max_usa,
       max(c.value_usd) FILTER (WHERE c.destination = 'JPN') AS max_jpn,
       max(c.value_usd) FILTER (WHERE c.destination = 'OTHERS') AS max_others
FROM marts.export_control_monthly c
JOIN staging.export_controls m USING (measure_id)
WHERE list_contains($destinations, c.destination)
GROUP BY c.measure_id, c.hs6, m.measure, m.commodities, m.status, m.effective
ORDER BY m.effective, c.measure_id, c.hs6
