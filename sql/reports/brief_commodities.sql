-- `minerals brief COMMODITY`: the commodities a brief can be written for (a production series
-- or an importer's trade in the published warehouse).
SELECT commodity FROM marts.supply_concentration
UNION
SELECT commodity FROM marts.import_dependence
ORDER BY commodity
