-- Every alert the current marts imply; the alerts asset inserts the ones not yet recorded.
-- Projections never raise alerts. Only critical minerals (on any list of staging.dim_critical_list).
-- Production concentration (USGS, IEA) and export concentration (BACI) are different kinds, worded
-- differently: an export-based alert names the traded products and says "exports", never a stage
-- of production ("antimony ores and concentrates (HS 261710): exports now highly concentrated ...
-- (BACI exports by quantity, t gross weight, 2024)").
SELECT * FROM (
WITH trend AS (
    SELECT *,
        CASE source WHEN 'iea' THEN 'IEA' WHEN 'usgs_mcs' THEN 'USGS' ELSE upper(source) END
            || CASE basis WHEN 'production' THEN '' ELSE ' ' || replace(basis, '_', ' ') END
            || ' ' || year AS label,
        replace(commodity, '_', ' ') || ' ' || stage AS series
    FROM marts.concentration_trend
    WHERE NOT is_projection AND previous_year IS NOT NULL
),
exports AS (  -- export concentration of each trade series' products (marts.export_concentration)
    SELECT *,
        product || ' (HS ' || hs_codes
            || CASE WHEN includes_basket THEN '; a basket: an upper bound, not ' || replace(
                   commodity, '_', ' ') || ' alone' ELSE '' END || ')' AS subject,
        'BACI exports by ' || CASE basis WHEN 'export_value' THEN 'value, USD'
                                         ELSE 'quantity, t gross weight' END
            || ', ' || year AS label
    FROM marts.export_concentration
    WHERE previous_year IS NOT NULL
)
SELECT
    concat_ws('|', 'became_highly_concentrated', source, commodity, stage, basis, year)
        AS alert_key,
    'became_highly_concentrated' AS kind, source, commodity, stage, basis, year,
    NULL AS importer_iso3, hhi - hhi_change AS previous_value, hhi AS value,
    series || ': now highly concentrated, HHI ' || round(hhi - hhi_change)::INT || ' -> '
        || round(hhi)::INT || ' (' || label || ')' AS message
FROM trend
WHERE concentration_band = 'highly concentrated' AND previous_band <> 'highly concentrated'
UNION ALL
SELECT
    concat_ws('|', 'china_share_up_5pts', source, commodity, stage, basis, year),
    'china_share_up_5pts', source, commodity, stage, basis, year,
    NULL, china_share - china_share_change, china_share,
    series || ': China share ' || round(100 * (china_share - china_share_change))::INT
        || '% -> ' || round(100 * china_share)::INT || '% (' || label || ')'
FROM trend
WHERE china_share_change >= 0.05
UNION ALL
SELECT
    concat_ws('|', 'exports_became_highly_concentrated', source, commodity, stage, basis, year),
    'exports_became_highly_concentrated', source, commodity, stage, basis, year,
    NULL, hhi - hhi_change, hhi,
    subject || ': exports now highly concentrated, HHI ' || round(hhi - hhi_change)::INT || ' -> '
        || round(hhi)::INT || ' (' || label || ')'
FROM exports
WHERE concentration_band = 'highly concentrated' AND previous_band <> 'highly concentrated'
UNION ALL
SELECT
    concat_ws('|', 'china_export_share_up_5pts', source, commodity, stage, basis, year),
    'china_export_share_up_5pts', source, commodity, stage, basis, year,
    NULL, china_share - china_share_change, china_share,
    subject || ': China''s share of world exports '
        || round(100 * (china_share - china_share_change))::INT || '% -> '
        || round(100 * china_share)::INT || '% (' || label || ')'
FROM exports
WHERE china_share_change >= 0.05
UNION ALL
SELECT
    concat_ws('|', 'new_eu_65pct_breach', 'baci', commodity, stage, 'import_value', year, 'EU27'),
    'new_eu_65pct_breach', 'baci', commodity, stage, 'import_value', year,
    'EU27', prev_share, top_supplier_share,
    replace(commodity, '_', ' ') || ' ' || stage || ': EU27 now gets '
        || round(100 * top_supplier_share)::INT || '% of its extra-EU imports from '
        || top_supplier_iso3 || ', above the 65% benchmark (BACI ' || year || ')'
FROM (
    SELECT *, lag(exceeds_eu_65pct_cap) OVER w AS prev_exceeds,
           lag(top_supplier_share) OVER w AS prev_share, lag(year) OVER w AS prev_year
    FROM marts.import_dependence
    WHERE importer_iso3 = 'EU27'
    WINDOW w AS (PARTITION BY commodity, stage ORDER BY year)
)
WHERE exceeds_eu_65pct_cap AND NOT prev_exceeds
) WHERE commodity IN (SELECT commodity FROM staging.dim_critical_list)
UNION ALL
-- China's monthly exports of an export-controlled code to USA, JPN or EU27 (controlled codes
-- need no critical-list filter): the trailing 3 months more than 50% below the same 3 months a
-- year earlier, for windows starting once a measure on the code is in force (from the effective
-- month). A month without a row had no recorded exports (0); the year-earlier window must reach
-- USD 100,000 so that a few stray kilograms never raise an alert.
SELECT
    concat_ws('|', 'china_exports_down_50pct', 'comtrade', hs6, destination,
              strftime(period, '%Y-%m')),
    'china_exports_down_50pct', 'comtrade', commodity, NULL, 'export_value', year(period),
    destination, year_earlier_usd, trailing_usd,
    label || ': China''s exports to ' || destination || ' down '
        || round(100 * (1 - trailing_usd / year_earlier_usd))::INT || '% ('
        || CASE WHEN month(period) >= 3 THEN strftime(period - INTERVAL 2 MONTH, '%b')
                ELSE strftime(period - INTERVAL 2 MONTH, '%b %Y') END
        || '-' || strftime(period, '%b %Y') || ' vs a year earlier)'
FROM (
    SELECT *, lag(trailing_usd, 12) OVER w12 AS year_earlier_usd
    FROM (
        SELECT c.hs6, c.destination, c.period, c.label, c.commodity, c.controlled_from,
               sum(coalesce(x.value_usd, 0)) OVER (
                   PARTITION BY c.hs6, c.destination ORDER BY c.period
                   ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS trailing_usd,
               count(*) OVER (
                   PARTITION BY c.hs6, c.destination ORDER BY c.period
                   ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS months
        FROM (  -- every month of each code's series, so missing months count as zero
            SELECT s.hs6, d.destination, unnest(generate_series(s.first, s.last,
                   INTERVAL 1 MONTH))::DATE AS period, s.label, s.commodity,
                   s.controlled_from
            FROM (
                SELECT x.hs6, min(x.period) AS first, max(x.period) AS last,
                       any_value(p.product) || ' (HS ' || x.hs6 || CASE WHEN any_value(p.is_basket)
                           THEN '; a basket: an upper bound, not '
                                || arg_min(array_to_string(m.commodities, ' or '), m.effective)
                                || ' alone' ELSE '' END || ')' AS label,
                       arg_min(m.commodities[1], m.effective) AS commodity,
                       date_trunc('month', min(m.effective))::DATE AS controlled_from
                FROM marts.export_control_monthly x
                JOIN staging.export_controls m USING (measure_id)
                LEFT JOIN (SELECT hs6, any_value(product) AS product,
                                  bool_or(basket = 'commodity') AS is_basket
                           FROM staging.dim_hs_content GROUP BY hs6) p ON p.hs6 = x.hs6
                GROUP BY x.hs6
            ) s
            CROSS JOIN (VALUES ('USA'), ('JPN'), ('EU27')) d(destination)
        ) c
        LEFT JOIN (
            SELECT DISTINCT hs6, destination, period, value_usd FROM marts.export_control_monthly
        ) x USING (hs6, destination, period)
    )
    WINDOW w12 AS (PARTITION BY hs6, destination ORDER BY period)
)
WHERE period - INTERVAL 2 MONTH >= controlled_from AND months = 3 AND year_earlier_usd >= 100000
  AND trailing_usd < 0.5 * year_earlier_usd
