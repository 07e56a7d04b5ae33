-- The commodities `minerals projects COMMODITY` knows: those with a line in the cited pipeline.
SELECT DISTINCT s.commodity
FROM staging.capacity_scopes AS s
WHERE s.scope IN (SELECT scope FROM staging.projects)
ORDER BY 1
