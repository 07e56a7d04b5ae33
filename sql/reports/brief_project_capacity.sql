-- `minerals brief`, "Projects and the capacity outlook": nameplate capacity of the cited
-- projects outside China per scope (product and content unit), scenario and year 2024-2030
-- (marts.project_capacity), scopes with a project only. Capacity is not production.
SELECT scope, stage, product, capacity_unit, scenario, year, capacity, n_projects, projects
FROM marts.project_capacity
WHERE commodity = $commodity
  AND scope IN (SELECT scope FROM marts.project_capacity
                WHERE commodity = $commodity GROUP BY scope HAVING max(capacity) > 0)
ORDER BY list_position(['mining', 'refining', 'manufacturing'], stage), scope,
         list_position(['as_announced', 'delayed_2y', 'committed_only'], scenario), year
