-- marts.screen_control_premium: the price an importer pays after each export control against
-- before it, on equal windows, complete windows only: the control premium.
--   annual (BACI, marts.unit_values): the importer's unit value from all origins and from China,
--   the calendar year after the effective year against the year before it;
--   monthly, China's declarations (marts.unit_values): the destination's unit value from China
--   in the 3, 6 and 12 months from the effective month against as many months before it (FOB);
--   monthly, the importer's own declarations of its national lines (issue 28's
--   marts.import_event_study, its complete windows: UK, Brazil, the EU27, the US ...), from
--   China and from all origins (CIF; recording outliers left out there).
-- premium = unit value after / before - 1; the screen fires at +50% or more, with at least
-- USD 100,000 of priced imports in each window (a gallium line moves 0.2 t worth that), never on
-- a basket code or line (a rise may be a change of mix, not of price).
WITH importers AS (SELECT * FROM (VALUES ('USA'), ('JPN'), ('EU27'), ('KOR'), ('DEU'), ('GBR'), ('BRA'))
                   t(iso3)),
observed AS (  -- what each importer paid: from all origins (annual) and from China (both)
    SELECT frequency, source, declared_by, nomenclature, hs6, period, importer_iso3,
           CASE exporter_iso3 WHEN 'WLD' THEN 'all' ELSE exporter_iso3 END AS origin,
           value_with_quantity_usd, quantity_t, product_label, is_basket, commodity, stage
    FROM marts.unit_values
    WHERE source IN ('baci', 'comtrade') AND importer_iso3 IN (SELECT iso3 FROM importers)
      AND (exporter_iso3 = 'CHN' OR exporter_iso3 = 'WLD' AND frequency = 'annual')
),
coverage AS (  -- the months (years) each source's series covers: a window outside it is incomplete
    SELECT frequency, source, nomenclature, hs6, min(period) AS first_period,
           max(period) AS last_period
    FROM marts.unit_values
    WHERE source IN ('baci', 'comtrade') AND (frequency = 'annual' OR exporter_iso3 = 'CHN')
    GROUP BY ALL
),
sides AS (
    SELECT w.measure_id, w.frequency, w.window_months, w.nomenclature, w.hs6, w.effective,
           w.before_from, w.before_to, w.after_from, w.after_to,
           o.source, o.declared_by, o.importer_iso3, o.origin,
           any_value(o.product_label) AS product_label, bool_or(o.is_basket) AS is_basket,
           any_value(o.commodity) AS commodity, any_value(o.stage) AS stage,
           sum(o.value_with_quantity_usd) FILTER (WHERE o.period <= w.before_to) AS usd_before,
           sum(o.quantity_t) FILTER (WHERE o.period <= w.before_to) AS t_before,
           sum(o.value_with_quantity_usd) FILTER (WHERE o.period >= w.after_from) AS usd_after,
           sum(o.quantity_t) FILTER (WHERE o.period >= w.after_from) AS t_after
    FROM staging.control_windows AS w  -- the measure's equal windows
    JOIN observed AS o
        ON o.frequency = w.frequency AND o.nomenclature = w.nomenclature AND o.hs6 = w.hs6
       AND (o.period BETWEEN w.before_from AND w.before_to
            OR o.period BETWEEN w.after_from AND w.after_to)
    GROUP BY ALL
),
trade AS (  -- BACI and China's declarations: the code is the HS6 code
    SELECT s.measure_id, s.frequency, s.window_months, s.source, s.declared_by, s.nomenclature,
           s.hs6, s.hs6 AS code, s.commodity, s.stage, s.product_label, s.is_basket,
           s.importer_iso3, s.origin, s.effective, s.before_from, s.before_to, s.after_from,
           s.after_to, s.before_from >= v.first_period AND s.after_to <= v.last_period
               AS is_complete,
           s.t_before, s.t_after, s.usd_before, s.usd_after,
           s.usd_before / nullif(s.t_before, 0) AS uv_before_usd_per_t,
           s.usd_after / nullif(s.t_after, 0) AS uv_after_usd_per_t
    FROM sides AS s
    JOIN coverage AS v USING (frequency, source, nomenclature, hs6)
),
lines AS (  -- the importers' own national lines: issue 28's equal windows, as it computed them
    SELECT e.measure_id, 'monthly' AS frequency, e.window_months, e.source,
           'importer (' || e.source || ')' AS declared_by, e.nomenclature, l.hs6, e.code,
           e.commodity, e.stage, e.scope_label || CASE e.coverage WHEN 'line = item' THEN ''
               ELSE ' (' || e.coverage || ' than the controlled items)' END AS product_label,
           e.is_basket, e.importer_iso3, e.origin, e.effective, e.before_from,
           (date_trunc('month', e.effective) - INTERVAL 1 MONTH)::DATE AS before_to,
           date_trunc('month', e.effective)::DATE AS after_from, e.after_to, e.is_complete,
           e.quantity_before_kg / 1000 AS t_before, e.quantity_after_kg / 1000 AS t_after,
           e.value_before_usd AS usd_before, e.value_after_usd AS usd_after,
           1000 * e.unit_value_before_usd_per_kg AS uv_before_usd_per_t,
           1000 * e.unit_value_after_usd_per_kg AS uv_after_usd_per_t
    FROM marts.import_event_study AS e
    JOIN (SELECT DISTINCT source, nomenclature, code, hs6 FROM marts.import_monthly) AS l
        USING (source, nomenclature, code)
    WHERE e.origin IN ('CHN', 'all') AND e.window_name IN ('3', '6', '12')
),
scored AS (
    SELECT *,
        CASE frequency WHEN 'annual'
            THEN strftime(before_from, '%Y') || ' vs ' || strftime(after_from, '%Y')
            ELSE strftime(before_from, '%Y-%m') || '..' || strftime(before_to, '%Y-%m') || ' vs '
                 || strftime(after_from, '%Y-%m') || '..' || strftime(after_to, '%Y-%m')
        END AS window_text
    FROM (SELECT * FROM trade UNION ALL BY NAME SELECT * FROM lines)
)
SELECT
    measure_id, frequency, window_months, source, declared_by, nomenclature, hs6, commodity,
    stage, product_label, is_basket, importer_iso3, origin, effective, before_from, before_to,
    after_from, after_to, is_complete, t_before AS quantity_before_t,
    t_after AS quantity_after_t, uv_before_usd_per_t, uv_after_usd_per_t,
    CASE WHEN is_complete THEN uv_after_usd_per_t / uv_before_usd_per_t - 1 END AS premium,
    coalesce(is_complete AND NOT is_basket AND usd_before >= 100000 AND usd_after >= 100000
             AND uv_after_usd_per_t / uv_before_usd_per_t - 1 >= 0.5, false) AS fires,
    CASE WHEN NOT is_complete THEN 'a window is not covered by the data (' || window_text || ')'
         WHEN uv_before_usd_per_t IS NULL OR uv_after_usd_per_t IS NULL
             THEN 'no tonnes in a window (no shipments, or values without quantities)'
         WHEN usd_before < 100000 OR usd_after < 100000
             THEN 'under USD 100,000 in a window'
         WHEN is_basket THEN 'a basket code: a change may be the mix, not the price'
         WHEN uv_after_usd_per_t / uv_before_usd_per_t - 1 < 0.5
             THEN 'the unit value did not rise 50%'
    END AS why_not_fired,
    -- the flow in the words of who declared it: China's declared exports to DEU (FOB) is not
    -- DEU's imports; an importer's own lines are its declared imports; BACI reconciles both
    product_label || ': '
        || CASE WHEN source = 'comtrade' THEN 'China''s declared exports to ' || importer_iso3
                ELSE importer_iso3 || '''s ' || CASE WHEN source = 'baci' THEN '' ELSE 'declared ' END
                     || 'imports from '
                     || CASE origin WHEN 'all' THEN 'all origins' WHEN 'CHN' THEN 'China'
                                    ELSE origin END
           END || ', unit value '
        || coalesce(format('{:,}', round(uv_before_usd_per_t)::BIGINT), 'none') || ' -> '
        || coalesce(format('{:,}', round(uv_after_usd_per_t)::BIGINT), 'none') || ' USD/t'
        || CASE WHEN is_complete AND uv_before_usd_per_t > 0 AND uv_after_usd_per_t IS NOT NULL
                THEN ' ('
                || CASE WHEN uv_after_usd_per_t >= uv_before_usd_per_t THEN '+' ELSE '' END
                || round(100 * (uv_after_usd_per_t / uv_before_usd_per_t - 1))::INT || '%)'
                ELSE '' END
        || ', ' || window_text || ', ' || measure_id
        || ' (' || declared_by || ', USD per t gross weight)' AS evidence,
    code
FROM scored
ORDER BY measure_id, code, importer_iso3, origin, source, frequency, window_months
