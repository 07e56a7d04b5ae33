-- Capacity outlook to 2030: each (commodity, stage) series the pipeline's scopes map onto
-- (staging.capacity_scopes), under three scenarios of the cited pipeline (staging.projects).
-- Per country and year: observed production up to the series' base year (its latest observed
-- year); after it, base-year production plus the named projects' added nameplate x utilisation
-- (staging.outlook_assumptions), China alone held on IEA's base-case path (linear between the
-- base year and IEA's 2030 projection; flat at its base year where IEA projects nothing).
-- Capacity added = a project's nameplate in the year minus its nameplate in the base year (a
-- plant already running in the base year is in the base production: only its growth is new).
-- Only verified project rows count (staging.projects.verified).
WITH params AS (
    SELECT max(value) FILTER (WHERE name = 'utilisation') AS utilisation,
           max(value) FILTER (WHERE name = 'eu_single_supplier_benchmark') AS eu_cap,
           max(value) FILTER (WHERE name = 'china_share_target') AS china_target
    FROM staging.outlook_assumptions
),
series AS (  -- one production series per (commodity, stage) the pipeline maps onto
    SELECT s.commodity, s.stage, s.series_source AS source, any_value(s.series_unit) AS unit
    FROM staging.capacity_scopes s
    WHERE s.series_source <> ''
    GROUP BY ALL
),
base AS (
    SELECT se.commodity, se.stage, se.source, max(c.year) AS base_year
    FROM series se
    JOIN marts.supply_concentration c
      ON c.commodity = se.commodity AND c.stage = se.stage AND c.source = se.source
     AND c.basis = 'production' AND NOT c.is_projection
    GROUP BY ALL
),
scenarios(scenario, delay_years, committed_only) AS (
    VALUES ('as_announced', 0, false), ('delayed_2y', 2, false), ('committed_only', 0, true)
),
years AS (SELECT unnest(range(2024, 2031)) AS year),
frame AS (
    SELECT b.*, sc.scenario, sc.delay_years, sc.committed_only, y.year
    FROM base b CROSS JOIN scenarios sc CROSS JOIN years y
),
observed AS (
    SELECT commodity, stage, source, year, iso3, amount
    FROM marts.country_share
    WHERE basis = 'production' AND NOT is_projection
),
-- each project line with its online year in the scenario (a delay moves every line not
-- operating) and whether the scenario keeps it
lines AS (
    SELECT f.commodity, f.stage, f.source, f.base_year, f.scenario, f.year,
           p.project_id, p.scope, p.country_iso3 AS iso3, p.capacity * s.factor_to_series AS capacity,
           p.online_year AS online_year_as_announced,
           CASE WHEN p.status = 'operating' THEN p.online_year
                ELSE p.online_year + f.delay_years END AS online_year
    FROM frame f
    JOIN staging.capacity_scopes s
      ON s.commodity = f.commodity AND s.stage = f.stage AND s.series_source = f.source
    JOIN staging.projects p ON p.scope = s.scope
    WHERE p.online_year IS NOT NULL AND p.verified = 'verified'
      AND (NOT f.committed_only OR p.status IN ('operating', 'construction', 'financed'))
),
project_year AS (  -- nameplate in the year and in the base year: the latest line by then
    SELECT commodity, stage, source, base_year, scenario, year, project_id, scope, iso3,
           coalesce(arg_max(capacity, online_year) FILTER (WHERE online_year <= year), 0)
               AS capacity_now,
           coalesce(arg_max(capacity, online_year) FILTER (WHERE online_year <= base_year), 0)
               AS capacity_base
    FROM lines
    GROUP BY ALL
),
added AS (
    SELECT commodity, stage, source, scenario, year, iso3,
           sum(greatest(capacity_now - capacity_base, 0)) FILTER (WHERE year > base_year)
               AS capacity_added
    FROM project_year
    GROUP BY ALL
),
china_path AS (  -- China on IEA's base case: interpolated to its 2030 projection
    SELECT b.commodity, b.stage, b.source, y.year,
           CASE WHEN y.year <= b.base_year THEN o.amount
                WHEN p.amount IS NULL THEN cb.amount
                ELSE cb.amount + (p.amount - cb.amount) * (y.year - b.base_year)
                                 / (2030 - b.base_year) END AS amount,
           p.amount IS NOT NULL AS on_iea_projection
    FROM base b
    CROSS JOIN years y
    LEFT JOIN observed o
      ON o.commodity = b.commodity AND o.stage = b.stage AND o.source = b.source
     AND o.year = y.year AND o.iso3 = 'CHN'
    LEFT JOIN observed cb
      ON cb.commodity = b.commodity AND cb.stage = b.stage AND cb.source = b.source
     AND cb.year = b.base_year AND cb.iso3 = 'CHN'
    LEFT JOIN marts.country_share p
      ON p.commodity = b.commodity AND p.stage = b.stage AND p.source = b.source
     AND p.basis = 'production' AND p.is_projection AND p.year = 2030 AND p.iso3 = 'CHN'
),
countries AS (  -- every country with output or a project in the series
    SELECT DISTINCT f.commodity, f.stage, f.source, f.scenario, f.year, f.base_year, o.iso3
    FROM frame f
    JOIN observed o ON o.commodity = f.commodity AND o.stage = f.stage AND o.source = f.source
     AND o.year = least(f.year, f.base_year)
    UNION
    SELECT f.commodity, f.stage, f.source, f.scenario, f.year, f.base_year, a.iso3
    FROM frame f
    JOIN added a USING (commodity, stage, source, scenario, year)
),
per_country AS (
    SELECT c.commodity, c.stage, c.source, c.scenario, c.year, c.base_year, c.iso3,
           CASE WHEN c.iso3 = 'CHN' THEN ch.amount
                ELSE coalesce(o.amount, 0)
                     + coalesce(a.capacity_added, 0) * (SELECT utilisation FROM params)
           END AS amount,
           CASE WHEN c.iso3 = 'CHN' THEN 0 ELSE coalesce(a.capacity_added, 0) END
               AS capacity_added
    FROM countries c
    LEFT JOIN observed o
      ON o.commodity = c.commodity AND o.stage = c.stage AND o.source = c.source
     AND o.iso3 = c.iso3 AND o.year = least(c.year, c.base_year)
    LEFT JOIN added a
      ON a.commodity = c.commodity AND a.stage = c.stage AND a.source = c.source
     AND a.scenario = c.scenario AND a.year = c.year AND a.iso3 = c.iso3
    LEFT JOIN china_path ch
      ON ch.commodity = c.commodity AND ch.stage = c.stage AND ch.source = c.source
     AND ch.year = c.year
),
unallocated AS (  -- "Rest of world" / "Other countries": held at its share of the base year
    SELECT b.commodity, b.stage, b.source, y.year,
           sc.world_total * sc.unallocated_share AS amount
    FROM base b CROSS JOIN years y
    JOIN marts.supply_concentration sc
      ON sc.commodity = b.commodity AND sc.stage = b.stage AND sc.source = b.source
     AND sc.basis = 'production' AND NOT sc.is_projection AND sc.year = least(y.year, b.base_year)
),
totals AS (
    SELECT pc.commodity, pc.stage, pc.source, pc.scenario, pc.year, any_value(pc.base_year) AS base_year,
           sum(pc.amount) + any_value(coalesce(u.amount, 0)) AS world_t,
           sum(pc.amount) FILTER (WHERE pc.iso3 = 'CHN') AS china_t,
           sum(pc.capacity_added) AS capacity_added_t,
           any_value(coalesce(u.amount, 0)) AS unallocated_t
    FROM per_country pc
    LEFT JOIN unallocated u USING (commodity, stage, source, year)
    GROUP BY pc.commodity, pc.stage, pc.source, pc.scenario, pc.year
),
ranked AS (
    SELECT pc.*, t.world_t,
           row_number() OVER (PARTITION BY pc.commodity, pc.stage, pc.source, pc.scenario, pc.year
                              ORDER BY pc.amount DESC, pc.iso3) AS rank
    FROM per_country pc JOIN totals t USING (commodity, stage, source, scenario, year)
),
concentration AS (
    SELECT commodity, stage, source, scenario, year,
           sum(amount) FILTER (WHERE rank <= 3) / any_value(world_t) AS top3_share,
           sum(power(100 * amount / world_t, 2)) AS hhi
    FROM ranked GROUP BY ALL
),
iea AS (
    SELECT commodity, stage, source,
           max(china_share) FILTER (WHERE year = 2030) AS iea_china_share_2030,
           max(china_share) FILTER (WHERE year = 2035) AS iea_china_share_2035
    FROM marts.supply_concentration
    WHERE basis = 'production' AND is_projection AND source = 'iea'
    GROUP BY ALL
),
demand AS (  -- US (USGS salient statistics) and Japan (cited seed) on the scope's series
    SELECT se.commodity, se.stage, se.source,
           max(u.amount) AS us_demand_t, max(u.year) AS us_demand_year,
           max(j.amount_t) AS jpn_demand_t, max(j.year) AS jpn_demand_year
    FROM series se
    LEFT JOIN staging.capacity_scopes s
      ON s.commodity = se.commodity AND s.stage = se.stage AND s.series_source = se.source
    LEFT JOIN (
        SELECT commodity, statistic, product, year, amount
        FROM staging.us_salient
        WHERE amount IS NOT NULL
        QUALIFY year = max(year) OVER (PARTITION BY commodity, statistic, product)
    ) u ON u.commodity = s.commodity AND u.statistic = s.us_demand_statistic
       AND coalesce(u.product, '') = s.us_demand_product
    LEFT JOIN staging.demand_reference j ON j.scope = s.scope AND j.iso3 = 'JPN'
    GROUP BY ALL
)
SELECT
    t.commodity,
    t.stage,
    t.scenario,
    t.year,
    t.source,
    t.base_year,
    t.year > t.base_year AS is_outlook,
    any_value(se.unit) AS unit,
    t.world_t AS world_output_t,
    t.china_t AS china_output_t,
    t.world_t - coalesce(t.china_t, 0) AS ex_china_output_t,
    t.capacity_added_t AS pipeline_capacity_added_t,
    t.capacity_added_t * p.utilisation AS pipeline_output_added_t,
    p.utilisation,
    t.china_t / t.world_t AS china_share,
    c.top3_share,
    c.hhi,
    i.iea_china_share_2030,
    i.iea_china_share_2035,
    coalesce(ch.on_iea_projection, false) AS china_on_iea_projection,
    -- ex-China output at which China's share falls to the target: china / (china + x) = target
    t.china_t * (1 - p.china_target) / p.china_target AS need_ex_china_output_50pct_t,
    t.china_t * (1 - p.eu_cap) / p.eu_cap AS need_ex_china_output_65pct_t,
    greatest(t.china_t * (1 - p.china_target) / p.china_target
             - (t.world_t - coalesce(t.china_t, 0)), 0) AS shortfall_50pct_output_t,
    greatest(t.china_t * (1 - p.eu_cap) / p.eu_cap
             - (t.world_t - coalesce(t.china_t, 0)), 0) AS shortfall_65pct_output_t,
    greatest(t.china_t * (1 - p.china_target) / p.china_target
             - (t.world_t - coalesce(t.china_t, 0)), 0) / p.utilisation
        AS shortfall_50pct_capacity_t,
    greatest(t.china_t * (1 - p.eu_cap) / p.eu_cap
             - (t.world_t - coalesce(t.china_t, 0)), 0) / p.utilisation
        AS shortfall_65pct_capacity_t,
    d.us_demand_t,
    d.us_demand_year,
    d.jpn_demand_t,
    d.jpn_demand_year,
    CASE WHEN d.us_demand_t IS NOT NULL OR d.jpn_demand_t IS NOT NULL
         THEN coalesce(d.us_demand_t, 0) + coalesce(d.jpn_demand_t, 0) END AS us_jpn_demand_t,
    CASE WHEN d.us_demand_t IS NOT NULL OR d.jpn_demand_t IS NOT NULL
         THEN greatest(coalesce(d.us_demand_t, 0) + coalesce(d.jpn_demand_t, 0)
                       - (t.world_t - coalesce(t.china_t, 0)), 0) END AS shortfall_us_jpn_demand_t,
    concat_ws('; ',
        CASE WHEN d.us_demand_t IS NULL THEN 'US: USGS publishes no demand on this scope' END,
        CASE WHEN d.jpn_demand_t IS NULL THEN 'Japan: no cited demand figure on this scope' END
    ) AS demand_missing
FROM totals t
JOIN concentration c USING (commodity, stage, source, scenario, year)
CROSS JOIN params p
LEFT JOIN iea i USING (commodity, stage, source)
LEFT JOIN demand d USING (commodity, stage, source)
LEFT JOIN china_path ch USING (commodity, stage, source, year)
JOIN series se USING (commodity, stage, source)
GROUP BY ALL
ORDER BY t.commodity, t.stage, t.scenario, t.year
