-- marts.export_control_exposure: one row per (measure_id, importer_iso3, year, nomenclature): the
-- annual BACI trade that a curated export-control measure's HS codes cover (staging.export_controls,
-- staging.export_control_codes), before and after it, in each nomenclature the trade data has
-- (HS92 1995-2024; HS17 2022 and 2024 for codes HS92 lacks, e.g. 850511 magnets, 811292).
-- importer_iso3 'WORLD' sums all importers: its covered_share is the measure country's share of
-- world exports of those codes. covered_value_usd: the measure country's exports of the codes (to
-- the target country only, where a measure targets one); covered_share: of all suppliers'
-- exports of those codes to that importer. period: before | effective_year | after, against the
-- effective date's year. includes_shared_codes: a code mixes the controlled items with others
-- (the seed's shared_hs6, or a basket code in the HS map), so the figures are upper bounds.
-- coverage_note says in words what each measure is measured on (a suspension: the measures it
-- suspends; an end-use rule with no goods list: the target's monthly imports); a measure that
-- no annual data can measure has one row (WORLD, nomenclature and year null) with only its note.
-- Flows that fail a plausibility test (staging.trade_outliers) are left out of the shares.
WITH flows AS (
    SELECT c.measure_id, f.nomenclature, f.year, f.exporter_iso3, f.importer_iso3, f.value_usd,
           c.is_shared OR f.exclusivity = 'shared' AS is_shared
    FROM staging.trade_flows_checked f
    JOIN staging.export_control_codes c ON c.hs6 = f.hs6 AND c.nomenclature = f.nomenclature
),
tagged AS (
    SELECT f.*, m.country_iso3, m.effective,
           f.exporter_iso3 = m.country_iso3
             AND (m.target_iso3 IS NULL OR f.importer_iso3 = m.target_iso3) AS is_covered
    FROM flows f JOIN staging.export_controls m USING (measure_id)
),
by_importer AS (
    SELECT measure_id, nomenclature, importer_iso3, year, any_value(effective) AS effective,
           coalesce(sum(value_usd) FILTER (WHERE is_covered), 0) AS covered_value_usd,
           sum(value_usd) AS total_value_usd, bool_or(is_shared) AS includes_shared_codes
    FROM tagged GROUP BY measure_id, nomenclature, importer_iso3, year
),
world AS (
    SELECT measure_id, nomenclature, 'WORLD' AS importer_iso3, year,
           any_value(effective) AS effective,
           coalesce(sum(value_usd) FILTER (WHERE is_covered), 0) AS covered_value_usd,
           sum(value_usd) AS total_value_usd, bool_or(is_shared) AS includes_shared_codes
    FROM tagged GROUP BY measure_id, nomenclature, year
),
-- per (measure, nomenclature): which codes carry the measure country's exports, in which years
annual_code AS (
    SELECT c.measure_id, f.nomenclature, f.hs6, min(f.year) AS first_year,
           max(f.year) AS last_year,
           string_agg(DISTINCT f.year::VARCHAR, ', ' ORDER BY f.year::VARCHAR) AS years
    FROM staging.trade_flows_checked f
    JOIN staging.export_control_codes c ON c.hs6 = f.hs6 AND c.nomenclature = f.nomenclature
    JOIN staging.export_controls m USING (measure_id)
    WHERE f.exporter_iso3 = m.country_iso3
    GROUP BY ALL
),
annual AS (
    SELECT measure_id, nomenclature, max(last_year) AS last_year,
           string_agg(hs6 || ' (' || CASE WHEN nomenclature = 'HS92'
               THEN first_year || '-' || last_year ELSE years END || ')', ', ' ORDER BY hs6)
               AS codes
    FROM annual_code GROUP BY ALL
),
monthly AS (
    SELECT measure_id, string_agg(DISTINCT hs6, ', ' ORDER BY hs6) AS codes,
           strftime(min(period), '%Y-%m') AS first_month, strftime(max(period), '%Y-%m') AS last_month
    FROM marts.export_control_monthly WHERE destination = 'ALL' GROUP BY measure_id
),
coverage AS (
    SELECT m.measure_id,
        CASE WHEN m.kind = 'suspension'
            THEN 'Suspends other measures (named in its text, which carry status suspended): '
                || 'no trade of its own to measure.'
            WHEN len(m.hs6_announced) = 0 AND m.target_iso3 IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM staging.export_control_codes c WHERE c.measure_id = m.measure_id)
            THEN 'No goods list (an end-use rule on every dual-use item to ' || m.target_iso3
                || '): no annual trade to measure; read on the target''s monthly imports of the '
                || 'controlled lines (marts.import_event_study).'
            WHEN len(m.hs6_announced) = 0 AND NOT EXISTS (
                SELECT 1 FROM staging.export_control_codes c WHERE c.measure_id = m.measure_id)
            THEN 'No goods codes (a technology or foreign-product rule): no trade to measure.'
        ELSE concat_ws('; ',
            CASE WHEN h92.last_year IS NULL
                THEN 'Not measurable on annual HS92 trade (' || coalesce(
                    'its HS92 codes ' || nullif((SELECT string_agg(hs6, ', ' ORDER BY hs6)
                        FROM staging.export_control_codes c
                        WHERE c.measure_id = m.measure_id AND c.nomenclature = 'HS92'), '')
                    || ' have no data', 'HS92 has no code for it') || ')'
                WHEN h92.last_year < year(m.effective) - 1
                THEN 'Not measurable on annual HS92 trade (China''s exports under its HS92 codes '
                    || 'end in ' || h92.last_year || ': ' || h92.codes || ')'
                ELSE 'BACI HS92 ' || h92.codes END,
            CASE WHEN h17.codes IS NOT NULL THEN 'BACI HS2017 ' || h17.codes END,
            CASE WHEN mo.codes IS NOT NULL
                THEN 'China''s monthly exports ' || mo.codes || ' (' || mo.first_month || ' to '
                    || mo.last_month || ')' END,
            CASE WHEN h92.codes IS NULL AND h17.codes IS NULL AND mo.codes IS NULL
                THEN 'none of its codes is in the trade data: no exposure computed' END
        ) || '.' END AS coverage_note
    FROM staging.export_controls m
    LEFT JOIN annual h92 ON h92.measure_id = m.measure_id AND h92.nomenclature = 'HS92'
    LEFT JOIN annual h17 ON h17.measure_id = m.measure_id AND h17.nomenclature = 'HS17'
    LEFT JOIN monthly mo ON mo.measure_id = m.measure_id
),
measured AS (SELECT * FROM by_importer UNION ALL SELECT * FROM world),
unmeasured AS (
    SELECT m.measure_id, NULL::VARCHAR AS nomenclature, 'WORLD' AS importer_iso3,
           NULL::INTEGER AS year, m.effective, NULL::DOUBLE AS covered_value_usd,
           NULL::DOUBLE AS total_value_usd, NULL::BOOLEAN AS includes_shared_codes
    FROM staging.export_controls m
    WHERE m.measure_id NOT IN (SELECT measure_id FROM measured)
)
SELECT
    u.measure_id,
    u.importer_iso3,
    u.year,
    CASE WHEN u.year IS NULL THEN NULL
         WHEN u.year < year(u.effective) THEN 'before'
         WHEN u.year = year(u.effective) THEN 'effective_year' ELSE 'after' END AS period,
    u.covered_value_usd,
    u.total_value_usd,
    u.covered_value_usd / nullif(u.total_value_usd, 0) AS covered_share,
    u.includes_shared_codes,
    m.measure,
    m.status,
    m.effective,
    u.nomenclature,
    c.coverage_note
FROM (SELECT * FROM measured UNION ALL SELECT * FROM unmeasured) u
JOIN staging.export_controls m USING (measure_id)
JOIN coverage c USING (measure_id)
ORDER BY u.measure_id, u.nomenclature, u.importer_iso3 = 'WORLD' DESC, u.importer_iso3, u.year
