-- marts.export_control_exposure: one row per (measure_id, importer_iso3, year), 1995-2024: the
-- trade that a curated export-control measure's HS codes cover (staging.export_controls,
-- staging.export_control_codes), before and after it. importer_iso3 'WORLD' sums all importers:
-- its covered_share is the measure country's share of world exports of those codes.
-- covered_value_usd: the measure country's exports of the codes (to the target country only,
-- where a measure targets one); covered_share: of all suppliers' exports of those codes to that
-- importer. period: before | effective_year | after, against the effective date's year.
-- Shared (basket) codes overstate what a measure covers: includes_shared_codes says so.
WITH flows AS (
    SELECT c.measure_id, f.year, f.exporter_iso3, f.importer_iso3, f.value_usd,
           f.exclusivity = 'shared' AS is_shared
    FROM staging.trade_flows f
    JOIN staging.export_control_codes c ON c.hs6 = f.hs6
),
tagged AS (
    SELECT f.*, m.country_iso3, m.effective,
           f.exporter_iso3 = m.country_iso3
             AND (m.target_iso3 IS NULL OR f.importer_iso3 = m.target_iso3) AS is_covered
    FROM flows f JOIN staging.export_controls m USING (measure_id)
),
by_importer AS (
    SELECT measure_id, importer_iso3, year, any_value(effective) AS effective,
           coalesce(sum(value_usd) FILTER (WHERE is_covered), 0) AS covered_value_usd,
           sum(value_usd) AS total_value_usd, bool_or(is_shared) AS includes_shared_codes
    FROM tagged GROUP BY measure_id, importer_iso3, year
),
world AS (
    SELECT measure_id, 'WORLD' AS importer_iso3, year, any_value(effective) AS effective,
           coalesce(sum(value_usd) FILTER (WHERE is_covered), 0) AS covered_value_usd,
           sum(value_usd) AS total_value_usd, bool_or(is_shared) AS includes_shared_codes
    FROM tagged GROUP BY measure_id, year
)
SELECT
    u.measure_id,
    u.importer_iso3,
    u.year,
    CASE WHEN u.year < year(u.effective) THEN 'before'
         WHEN u.year = year(u.effective) THEN 'effective_year' ELSE 'after' END AS period,
    u.covered_value_usd,
    u.total_value_usd,
    u.covered_value_usd / nullif(u.total_value_usd, 0) AS covered_share,
    u.includes_shared_codes,
    m.measure,
    m.status,
    m.effective
FROM (SELECT * FROM by_importer UNION ALL SELECT * FROM world) u
JOIN staging.export_controls m USING (measure_id)
ORDER BY u.measure_id, u.importer_iso3 = 'WORLD' DESC, u.importer_iso3, u.year
