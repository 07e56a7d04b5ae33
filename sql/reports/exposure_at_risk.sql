-- `minerals exposure IMPORTER`: what the importer would lose if one of the five largest
-- exporters of a (commodity, stage) stopped, latest year of each series (marked "*" when
-- before the data's latest year), suppliers holding 5% or more of its imports.
WITH e AS (
    SELECT *, (SELECT max(year) FROM marts.disruption_exposure) AS data_year
    FROM marts.disruption_exposure
    WHERE importer_iso3 = $importer
)
SELECT commodity, stage,
       year::VARCHAR || CASE WHEN year < data_year THEN ' *' ELSE '' END AS year,
       supplier_iso3 AS supplier,
       round(value_at_risk_usd / 1e6, 1) AS "at risk $m",
       round(100 * share_at_risk, 1) AS "share at risk %",
       round(alternative_supply_ratio, 1) AS "others' exports / loss",
       round(100 * partner_group_share, 1) AS "from partners %",
       product_label AS products
FROM e
WHERE $commodity IS NULL OR commodity = $commodity
QUALIFY e.year = max(e.year) OVER (PARTITION BY commodity, stage)
    AND share_at_risk >= 0.05
ORDER BY e.year < data_year, share_at_risk DESC
LIMIT 25
