-- Panel "China's share over time" (with trade), notes in words: the HS codes of each focus
-- (commodity, stage), their nomenclatures and whether any is a basket shared with other goods.
SELECT commodity, stage, string_agg(DISTINCT nomenclature, ', ') AS nomenclature,
       string_agg(hs6, ', ' ORDER BY hs6) AS codes,
       bool_or(exclusivity = 'shared') AS shared
FROM staging.dim_hs_mineral
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities) AND stage <> 'exclude'
GROUP BY ALL
