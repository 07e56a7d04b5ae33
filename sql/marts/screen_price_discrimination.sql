-- marts.screen_price_discrimination: for each export control and each of its codes, China's unit
-- value to the USA and to Japan against its unit value to the rest of its destinations (all but
-- the USA and Japan), before and after the measure, on equal windows, complete windows only:
--   monthly (China's declared exports, marts.unit_values): the 3, 6 and 12 months before the
--   effective month against the effective month and the months after it;
--   annual (BACI): the calendar year before the effective year against the year after it.
-- premium = target's unit value / the rest's - 1; the screen fires when the premium moved by 25
-- points or more between the windows, each window with at least USD 100,000 shipped (and priced)
-- to the target and to the rest, never on a basket code (the mix shipped to one destination can
-- differ from the mix shipped to another). Price discrimination: charging buyers different prices
-- for the same good (OECD Glossary of Industrial Organisation Economics and Competition Law).
WITH china AS (  -- China's exports by destination: monthly declarations, annual BACI flows
    SELECT frequency, nomenclature, hs6, period, importer_iso3, value_with_quantity_usd,
           quantity_t, product_label, is_basket, commodity, stage
    FROM marts.unit_values  -- China's own declarations and BACI, not importers' (another scope)
    WHERE exporter_iso3 = 'CHN' AND partner_scope = 'bilateral' AND source IN ('baci', 'comtrade')
),
coverage AS (
    SELECT frequency, nomenclature, hs6, min(period) AS first_period, max(period) AS last_period,
           any_value(product_label) AS product_label, bool_or(is_basket) AS is_basket,
           any_value(commodity) AS commodity, any_value(stage) AS stage
    FROM china GROUP BY ALL
),
sides AS (
    SELECT w.measure_id, w.frequency, w.window_months, w.nomenclature, w.hs6, d.target,
           sum(c.value_with_quantity_usd) FILTER (WHERE c.importer_iso3 = d.target
               AND c.period BETWEEN w.before_from AND w.before_to) AS target_usd_before,
           sum(c.quantity_t) FILTER (WHERE c.importer_iso3 = d.target
               AND c.period BETWEEN w.before_from AND w.before_to) AS target_t_before,
           sum(c.value_with_quantity_usd) FILTER (WHERE c.importer_iso3 = d.target
               AND c.period BETWEEN w.after_from AND w.after_to) AS target_usd_after,
           sum(c.quantity_t) FILTER (WHERE c.importer_iso3 = d.target
               AND c.period BETWEEN w.after_from AND w.after_to) AS target_t_after,
           sum(c.value_with_quantity_usd) FILTER (WHERE c.importer_iso3 NOT IN ('USA', 'JPN')
               AND c.period BETWEEN w.before_from AND w.before_to) AS rest_usd_before,
           sum(c.quantity_t) FILTER (WHERE c.importer_iso3 NOT IN ('USA', 'JPN')
               AND c.period BETWEEN w.before_from AND w.before_to) AS rest_t_before,
           sum(c.value_with_quantity_usd) FILTER (WHERE c.importer_iso3 NOT IN ('USA', 'JPN')
               AND c.period BETWEEN w.after_from AND w.after_to) AS rest_usd_after,
           sum(c.quantity_t) FILTER (WHERE c.importer_iso3 NOT IN ('USA', 'JPN')
               AND c.period BETWEEN w.after_from AND w.after_to) AS rest_t_after
    FROM staging.control_windows AS w  -- the measure's equal windows
    CROSS JOIN (VALUES ('USA'), ('JPN')) AS d(target)
    JOIN china AS c
        ON c.frequency = w.frequency AND c.nomenclature = w.nomenclature AND c.hs6 = w.hs6
       AND c.period BETWEEN w.before_from AND w.after_to
    GROUP BY ALL
),
scored AS (
    SELECT w.measure_id, w.frequency, w.window_months, w.nomenclature, w.hs6,
           v.commodity, v.stage, v.product_label, v.is_basket, s.target AS target_iso3,
           coalesce(w.target_iso3 = s.target, false) AS is_measure_target, w.effective,
           w.before_from, w.before_to, w.after_from, w.after_to,
           w.before_from >= v.first_period AND w.after_to <= v.last_period AS is_complete,
           s.target_usd_before / nullif(s.target_t_before, 0) AS target_uv_before_usd_per_t,
           s.rest_usd_before / nullif(s.rest_t_before, 0) AS rest_uv_before_usd_per_t,
           s.target_usd_after / nullif(s.target_t_after, 0) AS target_uv_after_usd_per_t,
           s.rest_usd_after / nullif(s.rest_t_after, 0) AS rest_uv_after_usd_per_t,
           s.target_t_before, s.target_t_after, s.rest_t_before, s.rest_t_after,
           s.target_usd_before, s.target_usd_after, s.rest_usd_before, s.rest_usd_after
    FROM staging.control_windows AS w  -- the measure's equal windows
    JOIN coverage AS v USING (frequency, nomenclature, hs6)
    JOIN sides AS s USING (measure_id, frequency, window_months, nomenclature, hs6)
),
premiums AS (
    SELECT *,
        CASE WHEN is_complete THEN target_uv_before_usd_per_t / rest_uv_before_usd_per_t - 1 END
            AS premium_before,
        CASE WHEN is_complete THEN target_uv_after_usd_per_t / rest_uv_after_usd_per_t - 1 END
            AS premium_after,
        coalesce(target_usd_before >= 100000 AND target_usd_after >= 100000
                 AND rest_usd_before >= 100000 AND rest_usd_after >= 100000, false) AS is_material,
        CASE frequency WHEN 'annual'
            THEN strftime(before_from, '%Y') || ' vs ' || strftime(after_from, '%Y')
            ELSE strftime(before_from, '%Y-%m') || '..' || strftime(before_to, '%Y-%m') || ' vs '
                 || strftime(after_from, '%Y-%m') || '..' || strftime(after_to, '%Y-%m')
        END AS window_text
    FROM scored
)
SELECT
    measure_id, frequency, window_months, nomenclature, hs6, commodity, stage, product_label,
    is_basket, target_iso3, is_measure_target, effective, before_from, before_to, after_from,
    after_to, is_complete, target_uv_before_usd_per_t, rest_uv_before_usd_per_t,
    target_uv_after_usd_per_t, rest_uv_after_usd_per_t, premium_before, premium_after,
    premium_after - premium_before AS premium_change,
    target_t_before, target_t_after, rest_t_before, rest_t_after,
    coalesce(is_complete AND is_material AND NOT is_basket
             AND abs(premium_after - premium_before) >= 0.25, false) AS fires,
    CASE WHEN NOT is_complete THEN 'a window is not covered by the data (' || window_text || ')'
         WHEN NOT is_material THEN 'under USD 100,000 to the target or to the rest in a window'
         WHEN is_basket THEN 'a basket code: the mix shipped to each destination may differ'
         WHEN abs(premium_after - premium_before) < 0.25
             THEN 'the premium moved less than 25 points'
    END AS why_not_fired,
    product_label || ': China''s exports to ' || target_iso3 || ' '
        || CASE WHEN premium_before IS NULL
                THEN 'cannot be priced against its exports to other destinations'
                ELSE 'priced ' || CASE WHEN premium_before >= 0
                                       THEN round(100 * premium_before)::INT || '% above'
                                       ELSE round(-100 * premium_before)::INT || '% below' END
                     || ' its exports to other destinations (all but USA and JPN) before, '
                     || CASE WHEN premium_after >= 0 THEN round(100 * premium_after)::INT || '% above'
                             ELSE round(-100 * premium_after)::INT || '% below' END
                     || ' after' END
        || ' (' || window_text || ', ' || measure_id || '; '
        || CASE frequency WHEN 'monthly' THEN 'China''s declared exports, FOB USD per t'
                ELSE 'BACI, FOB USD per t gross weight' END || ')' AS evidence
FROM premiums
ORDER BY measure_id, hs6, target_iso3, frequency, window_months
