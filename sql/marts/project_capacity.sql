-- Nameplate capacity of the cited pipeline (staging.projects) by scope, scenario and year,
-- 2024-2030, every project outside China. A project's capacity in a year is its latest line
-- online by then (lines supersede, never add). Scenarios as marts.capacity_outlook:
-- as_announced; delayed_2y (every line not operating two years later); committed_only
-- (operating, construction and financed lines only). Lines with no dated start, and lines marked
-- unverified (found only on a page of doubtful standing), are left out.
WITH scenarios(scenario, delay_years, committed_only) AS (
    VALUES ('as_announced', 0, false), ('delayed_2y', 2, false), ('committed_only', 0, true)
),
years AS (SELECT unnest(range(2024, 2031)) AS year),
lines AS (
    SELECT sc.scenario, p.project_id, p.scope, p.capacity,
           CASE WHEN p.status = 'operating' THEN p.online_year
                ELSE p.online_year + sc.delay_years END AS online_year
    FROM staging.projects p
    CROSS JOIN scenarios sc
    WHERE p.online_year IS NOT NULL AND p.verified = 'verified'
      AND (NOT sc.committed_only OR p.status IN ('operating', 'construction', 'financed'))
),
project_year AS (
    SELECT l.scenario, y.year, l.project_id, l.scope,
           arg_max(l.capacity, l.online_year) AS capacity
    FROM lines l
    JOIN years y ON l.online_year <= y.year
    GROUP BY ALL
)
SELECT
    s.scope,
    s.commodity,
    s.stage,
    s.product,
    s.capacity_unit,
    sc.scenario,
    y.year,
    coalesce(sum(py.capacity), 0) AS capacity,
    count(py.project_id) AS n_projects,
    string_agg(py.project_id, ', ' ORDER BY py.capacity DESC) AS projects
FROM staging.capacity_scopes s
CROSS JOIN scenarios sc
CROSS JOIN years y
LEFT JOIN project_year py ON py.scope = s.scope AND py.scenario = sc.scenario AND py.year = y.year
GROUP BY ALL
ORDER BY s.scope, sc.scenario, y.year
