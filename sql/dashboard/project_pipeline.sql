-- Panel "Project pipeline": the picked mineral's projects with status, capacity and the pages
-- cited (links). $commodity: its key.
SELECT p.project, p.owner, p.country_iso3, s.stage, p.facility, p.status, p.online_year,
       p.capacity, s.capacity_unit, p.source_url, p.status_source_url, p.confidence, p.verified
FROM staging.projects p
JOIN staging.capacity_scopes s USING (scope)
WHERE s.commodity = $commodity
ORDER BY s.stage, p.online_year NULLS LAST, p.project
