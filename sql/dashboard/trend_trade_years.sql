-- Panel "China's share over time" (with trade), notes in words: the years each focus (commodity,
-- stage) has trade in, and the last year of the trade data.
SELECT commodity, stage, list(DISTINCT year ORDER BY year) AS years,
       (SELECT max(year) FROM marts.import_dependence) AS data_last_year
FROM marts.import_dependence
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
GROUP BY ALL
