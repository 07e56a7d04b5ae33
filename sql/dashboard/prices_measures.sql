-- Panel "Prices and unit values": each export control and the minerals it covers, its effective
-- date as a decimal year (the rule drawn on the price and unit-value charts).
SELECT unnest(commodities) AS commodity, measure_id, status,
       strftime(effective, '%Y-%m-%d') AS effective,
       year(effective) + (dayofyear(effective) - 1) / 365.0 AS effective_year
FROM staging.export_controls
ORDER BY effective, measure_id
