-- marts.screen_control_premium: the price an importer pays after each export control against
-- before it, on equal windows, complete windows only: the control premium.
--   annual (BACI, marts.unit_values): the importer's unit value from all origins and from China,
--   the calendar year after the effective year against the year before it;
--   monthly: the destination's unit value from China in the 3, 6 and 12 months from the
--   effective month against as many months before it, as China declares its exports (FOB) and,
--   where the importer publishes monthly (staging.partner_monthly: UK, Brazil ...), as the
--   importer declares its imports from China and from all origins (CIF).
-- premium = unit value after / before - 1; the screen fires at +50% or more, with at least 1 t in
-- each window, never on a basket code (a rise may be a change of mix, not of price).
WITH measures AS (
    SELECT m.measure_id, m.effective, c.nomenclature, c.hs6,
           date_trunc('month', m.effective)::DATE AS effective_month
    FROM staging.export_controls AS m
    JOIN staging.export_control_codes AS c USING (measure_id)
),
windows AS (
    SELECT m.*, 'monthly' AS frequency, w.n AS window_months,
           (m.effective_month - to_months(w.n))::DATE AS before_from,
           (m.effective_month - INTERVAL 1 MONTH)::DATE AS before_to,
           m.effective_month AS after_from,
           (m.effective_month + to_months(w.n - 1))::DATE AS after_to
    FROM measures AS m CROSS JOIN (VALUES (3), (6), (12)) AS w(n)
    UNION ALL
    SELECT m.*, 'annual', 12,  -- an annual row's period is its year's first day
           make_date(year(m.effective) - 1, 1, 1), make_date(year(m.effective) - 1, 1, 1),
           make_date(year(m.effective) + 1, 1, 1), make_date(year(m.effective) + 1, 1, 1)
    FROM measures AS m
),
importers AS (SELECT * FROM (VALUES ('USA'), ('JPN'), ('EU27'), ('KOR'), ('DEU'), ('GBR'), ('BRA'))
                   t(iso3)),
observed AS (  -- what each importer paid: from all origins (annual) and from China (both)
    SELECT frequency, source, declared_by, nomenclature, hs6, period, importer_iso3,
           CASE exporter_iso3 WHEN 'WLD' THEN 'all' ELSE exporter_iso3 END AS origin,
           value_with_quantity_usd, quantity_t, product_label, is_basket, commodity, stage
    FROM marts.unit_values
    WHERE importer_iso3 IN (SELECT iso3 FROM importers)
      AND (exporter_iso3 = 'CHN'
           OR exporter_iso3 = 'WLD' AND (frequency = 'annual' OR declared_by LIKE 'importer%'))
),
coverage AS (  -- the months (years) each source's series covers: a window outside it is
               -- incomplete (China's declarations are its exports, an importer's its own imports)
    SELECT frequency, source, nomenclature, hs6, importer_iso3,
           min(period) AS first_period, max(period) AS last_period
    FROM (SELECT frequency, source, nomenclature, hs6, period,
                 CASE WHEN declared_by LIKE 'importer%' THEN importer_iso3 END AS importer_iso3
          FROM marts.unit_values
          WHERE frequency = 'annual' OR exporter_iso3 = 'CHN' OR declared_by LIKE 'importer%')
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
    FROM windows AS w
    JOIN observed AS o
        ON o.frequency = w.frequency AND o.nomenclature = w.nomenclature AND o.hs6 = w.hs6
       AND (o.period BETWEEN w.before_from AND w.before_to
            OR o.period BETWEEN w.after_from AND w.after_to)
    GROUP BY ALL
),
scored AS (
    SELECT s.*,
           s.before_from >= v.first_period AND s.after_to <= v.last_period AS is_complete,
           s.usd_before / nullif(s.t_before, 0) AS uv_before_usd_per_t,
           s.usd_after / nullif(s.t_after, 0) AS uv_after_usd_per_t,
        CASE s.frequency WHEN 'annual'
            THEN strftime(s.before_from, '%Y') || ' vs ' || strftime(s.after_from, '%Y')
            ELSE strftime(s.before_from, '%Y-%m') || '..' || strftime(s.before_to, '%Y-%m') || ' vs '
                 || strftime(s.after_from, '%Y-%m') || '..' || strftime(s.after_to, '%Y-%m')
        END AS window_text
    FROM sides AS s
    JOIN coverage AS v
        ON v.frequency = s.frequency AND v.source = s.source AND v.nomenclature = s.nomenclature
       AND v.hs6 = s.hs6
       AND v.importer_iso3 IS NOT DISTINCT FROM
           CASE WHEN s.declared_by LIKE 'importer%' THEN s.importer_iso3 END
)
SELECT
    measure_id, frequency, window_months, source, declared_by, nomenclature, hs6, commodity,
    stage, product_label, is_basket, importer_iso3, origin, effective, before_from, before_to,
    after_from, after_to, is_complete, t_before AS quantity_before_t,
    t_after AS quantity_after_t, uv_before_usd_per_t, uv_after_usd_per_t,
    CASE WHEN is_complete THEN uv_after_usd_per_t / uv_before_usd_per_t - 1 END AS premium,
    coalesce(is_complete AND NOT is_basket AND t_before >= 1 AND t_after >= 1
             AND uv_after_usd_per_t / uv_before_usd_per_t - 1 >= 0.5, false) AS fires,
    CASE WHEN NOT is_complete THEN 'a window is not covered by the data (' || window_text || ')'
         WHEN t_before IS NULL OR t_after IS NULL
             THEN 'no tonnes in a window (no shipments, or values without quantities)'
         WHEN t_before < 1 OR t_after < 1 THEN 'under 1 t in a window'
         WHEN is_basket THEN 'a basket code: a change may be the mix, not the price'
         WHEN uv_after_usd_per_t / uv_before_usd_per_t - 1 < 0.5
             THEN 'the unit value did not rise 50%'
    END AS why_not_fired,
    product_label || ': ' || importer_iso3 || '''s unit value '
        || CASE origin WHEN 'all' THEN 'from all origins' ELSE 'from ' || origin END || ' '
        || coalesce(format('{:,}', round(uv_before_usd_per_t)::BIGINT), 'none') || ' -> '
        || coalesce(format('{:,}', round(uv_after_usd_per_t)::BIGINT), 'none') || ' USD/t'
        || CASE WHEN is_complete AND uv_before_usd_per_t > 0 AND uv_after_usd_per_t IS NOT NULL
                THEN ' ('
                || CASE WHEN uv_after_usd_per_t >= uv_before_usd_per_t THEN '+' ELSE '' END
                || round(100 * (uv_after_usd_per_t / uv_before_usd_per_t - 1))::INT || '%)'
                ELSE '' END
        || ', ' || window_text || ', ' || measure_id
        || ' (' || declared_by || ', USD per t gross weight)' AS evidence
FROM scored
ORDER BY measure_id, hs6, importer_iso3, origin, frequency, window_months
