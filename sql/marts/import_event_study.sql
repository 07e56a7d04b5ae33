-- marts.import_event_study: what each export-control measure did to importers' own monthly
-- imports of its lines, on equal windows. One row per (measure_id, importer_iso3, source,
-- nomenclature, code, origin, window). The lines are the measure's items at national level
-- (staging.control_lines, any coverage but 'no line'); origin CHN is China, other every origin
-- but China, all every origin (WLD rows of marts.import_monthly, incl. confidential partners).
-- Windows: the window_months months before the month of the effective date against the
-- effective month and the window_months - 1 after (3, 6, 12), and to_latest: from the effective
-- month through the source's latest month, against as many months before. A window is complete
-- when the source covers every month of both halves (its first to its latest month, every line:
-- a covered month without a row had no recorded imports); a change is given only on complete
-- windows (why_no_change says what is missing). Quantities are net mass (kg), values USD.
-- A measure suspended before its effective date never applied and is not studied; a source
-- whose extract holds no imports from China for the importer is not either.
WITH measures AS (
    SELECT measure_id, measure, status, effective, target_iso3, kind,
           date_trunc('month', effective)::DATE AS effective_month
    FROM staging.export_controls
    WHERE kind = 'control'
      -- suspended before it took effect: it never applied (Nos. 57, 58, 61 of October 2025)
      AND NOT (status = 'suspended' AND status_changed <= effective)
),
measure_lines AS (
    SELECT measure_id, nomenclature, code,
           string_agg(DISTINCT item, '; ' ORDER BY item) AS items,
           -- the widest relation any item has to the line, in words
           CASE WHEN bool_or(coverage = 'extraterritorial') THEN 'extraterritorial'
                WHEN bool_or(coverage = 'end use') THEN 'end use'
                WHEN bool_or(coverage = 'line holds more') THEN 'line holds more'
                ELSE 'line = item' END AS coverage
    FROM staging.control_lines
    WHERE coverage <> 'no line'
    GROUP BY measure_id, nomenclature, code
),
-- the months each source publishes for each importer (every line)
coverage AS (
    SELECT source, importer_iso3, min(period) AS first_month, max(period) AS last_month
    FROM marts.import_monthly GROUP BY source, importer_iso3
    -- an extract that holds no imports from China for the importer (the snapshot's Comext rows:
    -- trade with the UK only) cannot say what China's share did
    HAVING bool_or(origin_iso3 = 'CHN')
),
series AS (
    SELECT DISTINCT i.source, i.importer_iso3, i.nomenclature, i.code, i.commodity, i.element,
           i.product, i.stage, i.is_basket, i.scope_label
    FROM marts.import_monthly i
),
monthly AS (
    SELECT source, importer_iso3, nomenclature, code, period,
           coalesce(sum(value_usd) FILTER (WHERE origin_iso3 = 'CHN'), 0) AS chn_value,
           coalesce(sum(quantity_kg_checked) FILTER (WHERE origin_iso3 = 'CHN'), 0) AS chn_kg,
           coalesce(sum(value_with_quantity_usd) FILTER (WHERE origin_iso3 = 'CHN'), 0)
               AS chn_priced,
           coalesce(sum(value_usd) FILTER (WHERE origin_iso3 = 'WLD'), 0) AS all_value,
           coalesce(sum(quantity_kg_checked) FILTER (WHERE origin_iso3 = 'WLD'), 0) AS all_kg,
           coalesce(sum(value_with_quantity_usd) FILTER (WHERE origin_iso3 = 'WLD'), 0)
               AS all_priced
    FROM marts.import_monthly
    WHERE origin_iso3 IN ('CHN', 'WLD')
    GROUP BY ALL
),
windows AS (
    SELECT m.measure_id, m.measure, m.status, m.effective, m.target_iso3, m.effective_month,
           ml.items, ml.coverage, s.*, c.first_month, c.last_month, w.window_name,
           CASE WHEN w.window_name = 'to_latest'
                THEN datediff('month', m.effective_month, c.last_month) + 1
                ELSE w.window_months END AS window_months
    FROM measures m
    JOIN measure_lines ml USING (measure_id)
    JOIN series s ON s.nomenclature = ml.nomenclature AND s.code = ml.code
    JOIN coverage c ON c.source = s.source AND c.importer_iso3 = s.importer_iso3
    CROSS JOIN (VALUES ('3', 3), ('6', 6), ('12', 12), ('to_latest', NULL)) w(window_name, window_months)
),
bounds AS (
    SELECT *,
           (effective_month - to_months(greatest(window_months, 1)))::DATE AS before_from,
           (effective_month - INTERVAL 1 MONTH)::DATE AS before_to,
           effective_month AS after_from,
           (effective_month + to_months(greatest(window_months, 1) - 1))::DATE AS after_to
    FROM windows
),
summed AS (
    SELECT b.*,
           b.window_months >= 1 AND b.before_from >= b.first_month AND b.after_to <= b.last_month
               AS is_complete,
           sum(x.chn_value) FILTER (WHERE x.period < b.after_from) AS chn_value_before,
           sum(x.chn_value) FILTER (WHERE x.period >= b.after_from) AS chn_value_after,
           sum(x.chn_kg) FILTER (WHERE x.period < b.after_from) AS chn_kg_before,
           sum(x.chn_kg) FILTER (WHERE x.period >= b.after_from) AS chn_kg_after,
           sum(x.chn_priced) FILTER (WHERE x.period < b.after_from) AS chn_priced_before,
           sum(x.chn_priced) FILTER (WHERE x.period >= b.after_from) AS chn_priced_after,
           sum(x.all_value) FILTER (WHERE x.period < b.after_from) AS all_value_before,
           sum(x.all_value) FILTER (WHERE x.period >= b.after_from) AS all_value_after,
           sum(x.all_kg) FILTER (WHERE x.period < b.after_from) AS all_kg_before,
           sum(x.all_kg) FILTER (WHERE x.period >= b.after_from) AS all_kg_after,
           sum(x.all_priced) FILTER (WHERE x.period < b.after_from) AS all_priced_before,
           sum(x.all_priced) FILTER (WHERE x.period >= b.after_from) AS all_priced_after
    FROM bounds b
    LEFT JOIN monthly x
      ON x.source = b.source AND x.importer_iso3 = b.importer_iso3
     AND x.nomenclature = b.nomenclature AND x.code = b.code
     AND x.period BETWEEN b.before_from AND b.after_to
    GROUP BY ALL
),
by_origin AS (
    SELECT *, 'CHN' AS origin, chn_value_before AS value_before, chn_value_after AS value_after,
           chn_kg_before AS kg_before, chn_kg_after AS kg_after,
           chn_priced_before AS priced_before, chn_priced_after AS priced_after FROM summed
    UNION ALL
    SELECT *, 'other', all_value_before - chn_value_before, all_value_after - chn_value_after,
           all_kg_before - chn_kg_before, all_kg_after - chn_kg_after,
           all_priced_before - chn_priced_before, all_priced_after - chn_priced_after FROM summed
    UNION ALL
    SELECT *, 'all', all_value_before, all_value_after, all_kg_before, all_kg_after,
           all_priced_before, all_priced_after FROM summed
)
SELECT
    measure_id,
    importer_iso3,
    source,
    nomenclature,
    code,
    origin,
    window_name,
    window_months::INTEGER AS window_months,
    effective,
    CASE WHEN window_months >= 1 THEN before_from END AS before_from,
    CASE WHEN window_months >= 1 THEN after_to END AS after_to,
    is_complete,
    CASE WHEN is_complete THEN coalesce(value_before, 0) END AS value_before_usd,
    CASE WHEN is_complete THEN coalesce(value_after, 0) END AS value_after_usd,
    CASE WHEN is_complete THEN value_after / nullif(value_before, 0) - 1 END AS value_change,
    CASE WHEN is_complete THEN coalesce(kg_before, 0) END AS quantity_before_kg,
    CASE WHEN is_complete THEN coalesce(kg_after, 0) END AS quantity_after_kg,
    CASE WHEN is_complete THEN kg_after / nullif(kg_before, 0) - 1 END AS quantity_change,
    CASE WHEN is_complete THEN priced_before / nullif(kg_before, 0) END
        AS unit_value_before_usd_per_kg,
    CASE WHEN is_complete THEN priced_after / nullif(kg_after, 0) END
        AS unit_value_after_usd_per_kg,
    CASE WHEN is_complete AND origin = 'CHN'
        THEN chn_value_before / nullif(all_value_before, 0) END AS china_share_before,
    CASE WHEN is_complete AND origin = 'CHN'
        THEN chn_value_after / nullif(all_value_after, 0) END AS china_share_after,
    CASE WHEN is_complete THEN NULL
         WHEN window_months < 1
             THEN 'takes effect after the latest month (' || strftime(last_month, '%Y-%m') || ')'
         WHEN before_from < first_month
             THEN 'the months before start before the data (first month '
                  || strftime(first_month, '%Y-%m') || ')'
         ELSE 'the months after end after the latest month ('
              || strftime(last_month, '%Y-%m') || ')' END AS why_no_change,
    coalesce(importer_iso3 = target_iso3, false) AS is_target,
    items,
    coverage,
    commodity,
    element,
    product,
    stage,
    is_basket,
    scope_label,
    measure,
    status
FROM by_origin
ORDER BY measure_id, importer_iso3, source, nomenclature, code, origin,
         list_position(['3', '6', '12', 'to_latest'], window_name)
