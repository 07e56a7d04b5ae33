-- `minerals projects [COMMODITY]`: the cited pipeline, one line per capacity step, with its
-- status, the public funding found and the pages read; unverified rows are marked (they are
-- left out of the outlook). $commodity: a commodity key or NULL.
SELECT
    s.commodity,
    s.stage,
    p.project,
    p.country_iso3 AS country,
    p.status,
    p.online_year AS online,
    p.capacity AS "nameplate capacity",
    s.capacity_unit AS unit,
    (SELECT string_agg(f.agency || ' ' || f.instrument || ' ' || f.currency || ' '
                       || round(f.amount / 1e6, 1) || 'm (' || f.status || ', ' || f.date || ')', '; ')
     FROM staging.project_funding f WHERE f.project_id = p.project_id) AS funding,
    p.source_kind AS "source kind",
    p.confidence,
    CASE WHEN p.verified = 'unverified' THEN 'UNVERIFIED: not in the outlook' ELSE '' END
        AS verified,
    p.source_url AS source
FROM staging.projects p
JOIN staging.capacity_scopes s USING (scope)
WHERE $commodity IS NULL OR s.commodity = $commodity
ORDER BY s.commodity, s.stage, p.scope, p.online_year NULLS LAST, p.project
