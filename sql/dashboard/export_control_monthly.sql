-- Panel "China's monthly exports under each export control": China's monthly exports of each
-- (measure, hs6) to each of $destinations (USA, JPN, OTHERS), every month of the series' span: a
-- month the mart has no row for (no recorded exports) is a null value, drawn as a gap, never 0.
WITH s AS (SELECT measure_id, hs6, destination, period, value_usd
           FROM marts.export_control_monthly WHERE list_contains($destinations, destination)),
span AS (SELECT measure_id, hs6,
                unnest(range(min(period), max(period) + INTERVAL 1 MONTH,
                             INTERVAL 1 MONTH))::DATE AS period
         FROM s GROUP BY measure_id, hs6),
d AS (SELECT unnest($destinations::VARCHAR[]) AS destination)
SELECT span.measure_id, span.hs6, d.destination,
       strftime(span.period, '%Y-%m-%d') AS period, round(s.value_usd) AS value_usd
FROM span CROSS JOIN d
LEFT JOIN s USING (measure_id, hs6, destination, period)
ORDER BY measure_id, hs6, destination, period
