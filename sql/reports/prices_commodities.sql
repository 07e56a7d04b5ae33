-- The commodities `minerals prices` knows: those with a USGS price (rare_earths covers the heavy
-- rare earths) or a trade unit value.
SELECT commodity_group AS commodity FROM marts.prices
UNION
SELECT commodity FROM marts.unit_values
ORDER BY 1
