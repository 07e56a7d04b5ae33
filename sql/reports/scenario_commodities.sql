-- The commodities `minerals scenario` knows.
SELECT DISTINCT commodity FROM marts.disruption_exposure ORDER BY 1
