-- Panel "Project pipeline": every project line of the focus minerals with its status, nameplate
-- capacity, public funding and the pages cited (drawn as links).
SELECT s.commodity, s.stage, s.product, s.capacity_unit, p.project_id, p.project, p.owner,
       p.country_iso3, p.facility, p.status, p.online_year, p.expected_start, p.capacity,
       p.source_url, p.status_source_url, p.source_kind, p.confidence, p.verified,
       (SELECT list({'text': f.agency || ': ' || f.instrument || ' ' || f.currency || ' '
                             || round(f.amount / 1e6, 1) || 'm (' || f.status || ')',
                     'url': f.source_url} ORDER BY f.date)
        FROM staging.project_funding f WHERE f.project_id = p.project_id) AS funding
FROM staging.projects p
JOIN staging.capacity_scopes s USING (scope)
WHERE s.commodity IN (SELECT commodity FROM staging.focus_commodities)
ORDER BY s.commodity, s.stage, p.scope, p.online_year NULLS LAST, p.project
