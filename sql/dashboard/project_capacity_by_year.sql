-- Panel "Pipeline capacity by year": nameplate of the cited pipeline outside China per scope,
-- scenario and year (marts.project_capacity), for the picked mineral. $commodity: its key.
SELECT scope, product, capacity_unit, scenario, year, capacity, n_projects
FROM marts.project_capacity
WHERE commodity = $commodity
ORDER BY scope, scenario, year
