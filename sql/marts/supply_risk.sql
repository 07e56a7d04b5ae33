-- marts.supply_risk: one row per (source, commodity, stage, basis, year).
-- hhi_wgi (EU JRC criticality method): sum over listed countries of share^2 (0-1) times the
-- country's governance risk, the mean of the six WGI estimates rescaled to 0-10 with 10 the
-- worst: wgi_risk = clamp((2.5 - mean_estimate) * 2, 0, 10). hhi_wgi is 0-10.
-- Inputs kept beside it: hhi on the same 0-1 scale, the share-weighted governance risk, the
-- share of supply with no WGI score and whether carried-forward WGI years were used.
-- Projections are left out (there is no governance for 2030).
WITH wgi AS (
    SELECT iso3, year,
           least(10, greatest(0, (2.5 - avg(estimate)) * 2)) AS wgi_risk,
           bool_or(is_carried_forward) AS carried_forward,
           count(*) AS n_dimensions
    FROM staging.governance
    GROUP BY iso3, year
)
SELECT
    c.source, c.commodity, c.stage, c.basis, c.year,
    sum(c.share * c.share * w.wgi_risk) AS hhi_wgi,
    sum(c.share * c.share) AS hhi_fraction,
    sum(c.share * w.wgi_risk) / nullif(sum(c.share) FILTER (WHERE w.wgi_risk IS NOT NULL), 0)
        AS share_weighted_wgi_risk,
    coalesce(sum(c.share) FILTER (WHERE w.wgi_risk IS NULL), 0) AS share_without_wgi,
    coalesce(bool_or(w.carried_forward), false) AS uses_carried_forward_wgi,
    count(*) AS n_countries,
    arg_max(c.iso3, c.share * c.share * coalesce(w.wgi_risk, 0)) AS largest_contributor_iso3
FROM marts.country_share AS c
LEFT JOIN wgi AS w ON w.iso3 = c.iso3 AND w.year = c.year
WHERE c.share > 0 AND NOT c.is_projection
GROUP BY c.source, c.commodity, c.stage, c.basis, c.year
ORDER BY c.source, c.commodity, c.stage, c.basis, c.year
