-- The commodities `minerals show` knows: those with a production concentration series.
SELECT DISTINCT commodity FROM marts.supply_concentration WHERE basis = 'production' ORDER BY 1
