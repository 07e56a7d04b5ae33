-- Panel "New capacity outside China by year": nameplate capacity of the cited pipeline per
-- scope, scenario and year (marts.project_capacity) for the focus minerals, the scopes with a
-- project only.
SELECT commodity, scope, stage, product, capacity_unit, scenario, year, capacity, n_projects,
       projects
FROM marts.project_capacity
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
  AND scope IN (SELECT scope FROM marts.project_capacity GROUP BY scope HAVING max(capacity) > 0)
ORDER BY commodity, scope, scenario, year
