-- Every alert the current marts imply; the alerts asset inserts the ones not yet recorded.
-- Projections never raise alerts. Only critical minerals (on any list of staging.dim_critical_list).
SELECT * FROM (
WITH trend AS (
    SELECT *,
        CASE source WHEN 'iea' THEN 'IEA' WHEN 'usgs_mcs' THEN 'USGS' ELSE upper(source) END
            || CASE basis WHEN 'production' THEN '' ELSE ' ' || replace(basis, '_', ' ') END
            || ' ' || year AS label,
        replace(commodity, '_', ' ') || ' ' || stage AS series
    FROM marts.concentration_trend
    WHERE NOT is_projection AND previous_year IS NOT NULL
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
