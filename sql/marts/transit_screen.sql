-- marts.transit_screen: a screen for possible transit of controlled lines through third
-- countries, never a finding. One row per (source, reporter_iso3, target_iso3, nomenclature,
-- code, period_end, window_months): over the window_months months to period_end (6 or 12) and
-- the same months a year earlier, the reporter's imports of the line from China and its exports
-- of the same line to the target, both from the reporter's own declarations (same publisher,
-- same line: one scope). flagged: both rose by 25% or more and by 500 kg or more, the exports
-- to the target are at least 10% of what came in from China, and their unit value is within
-- half to twice that of the imports from China (transit passes goods on at a like price; a
-- reporter's own, dearer manufactures would not). Only windows
-- the source covers in full; net mass of recording outliers (a unit value below a tenth of the
-- value-weighted median of the reporter's line and flow) is left out. Limits (docs/monthly.md): exports may be
-- the reporter's own production or stock, re-exports are not told apart from domestic exports
-- by most publishers, a line may hold more than the controlled item, and only reporters whose
-- own monthly declarations the warehouse holds can be screened.
WITH lines AS (
    SELECT DISTINCT nomenclature, code FROM staging.control_lines WHERE coverage <> 'no line'
),
flows AS (
    SELECT p.source, p.reporter_iso3, p.partner_iso3, p.flow, p.nomenclature,
           p.national_code AS code, p.period, p.value_usd, p.quantity_kg
    FROM staging.partner_monthly p
    JOIN lines l ON l.nomenclature = p.nomenclature AND l.code = p.national_code
    WHERE NOT p.is_aggregate_partner AND p.partner_iso3 IS NOT NULL
      AND p.partner_iso3 <> p.reporter_iso3
),
-- value-weighted median unit value of the reporter's line and flow (as in marts.import_monthly)
priced AS (
    SELECT source, reporter_iso3, flow, nomenclature, code, value_usd / quantity_kg AS unit_value,
           sum(value_usd) OVER (PARTITION BY source, reporter_iso3, flow, nomenclature, code
                                ORDER BY value_usd / quantity_kg
                                ROWS UNBOUNDED PRECEDING) AS cumulative_usd,
           sum(value_usd) OVER (PARTITION BY source, reporter_iso3, flow, nomenclature, code)
               AS total_usd
    FROM flows WHERE quantity_kg > 0 AND value_usd > 0
),
medians AS (
    SELECT source, reporter_iso3, flow, nomenclature, code,
           min(unit_value) FILTER (WHERE cumulative_usd >= total_usd / 2) AS median_unit_value
    FROM priced GROUP BY ALL
),
checked AS (
    SELECT f.*,
           CASE WHEN f.quantity_kg > 0 AND f.value_usd >= 0
                     AND f.value_usd / f.quantity_kg < m.median_unit_value / 10
                THEN NULL ELSE f.quantity_kg END AS kg
    FROM flows f
    LEFT JOIN medians m USING (source, reporter_iso3, flow, nomenclature, code)
),
coverage AS (
    SELECT source, reporter_iso3, min(period) AS first_month, max(period) AS last_month
    FROM staging.partner_monthly GROUP BY source, reporter_iso3
),
ends AS (
    SELECT c.source, c.reporter_iso3, w.window_months, e.period_end
    FROM coverage c
    CROSS JOIN (VALUES (6), (12)) w(window_months)
    CROSS JOIN LATERAL (
        SELECT unnest(generate_series(
            c.first_month + to_months(2 * w.window_months - 1), c.last_month,
            INTERVAL 1 MONTH))::DATE AS period_end) e
),
windowed AS (
    SELECT e.source, e.reporter_iso3, e.window_months, e.period_end, f.flow, f.partner_iso3,
           f.nomenclature, f.code,
           f.period > (e.period_end - to_months(e.window_months))::DATE AS is_current,
           f.value_usd, f.kg
    FROM ends e
    JOIN checked f ON f.source = e.source AND f.reporter_iso3 = e.reporter_iso3
     AND f.period > (e.period_end - to_months(2 * e.window_months))::DATE
     AND f.period <= e.period_end
),
from_china AS (
    SELECT source, reporter_iso3, window_months, period_end, nomenclature, code,
           coalesce(sum(kg) FILTER (WHERE is_current), 0) AS kg_now,
           coalesce(sum(kg) FILTER (WHERE NOT is_current), 0) AS kg_before,
           sum(value_usd) FILTER (WHERE is_current AND kg IS NOT NULL)
               / nullif(sum(kg) FILTER (WHERE is_current), 0) AS unit_value
    FROM windowed WHERE flow = 'M' AND partner_iso3 = 'CHN'
    GROUP BY ALL
),
to_target AS (
    SELECT source, reporter_iso3, window_months, period_end, nomenclature, code,
           partner_iso3 AS target_iso3,
           coalesce(sum(kg) FILTER (WHERE is_current), 0) AS kg_now,
           coalesce(sum(kg) FILTER (WHERE NOT is_current), 0) AS kg_before,
           sum(value_usd) FILTER (WHERE is_current AND kg IS NOT NULL)
               / nullif(sum(kg) FILTER (WHERE is_current), 0) AS unit_value
    FROM windowed WHERE flow = 'X' AND partner_iso3 <> 'CHN'
    GROUP BY ALL
),
screened AS (
    SELECT t.source, t.reporter_iso3, t.target_iso3, t.nomenclature, t.code, t.period_end,
           t.window_months,
           c.kg_now AS imports_from_china_kg, c.kg_before AS imports_from_china_kg_year_earlier,
           c.kg_now / nullif(c.kg_before, 0) - 1 AS imports_from_china_change,
           t.kg_now AS exports_to_target_kg, t.kg_before AS exports_to_target_kg_year_earlier,
           t.kg_now / nullif(t.kg_before, 0) - 1 AS exports_to_target_change,
           c.unit_value AS import_unit_value_usd_per_kg,
           t.unit_value AS export_unit_value_usd_per_kg,
           t.kg_now / nullif(c.kg_now, 0) AS exports_share_of_china_inflow,
           t.unit_value / nullif(c.unit_value, 0) AS unit_value_ratio,
           -- the screen: both up 25% and 500 kg or more, the exports a material part (10%) of
           -- what came in from China, at a like unit value (half to twice the import's)
           c.kg_now - c.kg_before >= 500 AND t.kg_now - t.kg_before >= 500
               AND c.kg_now >= 1.25 * c.kg_before AND t.kg_now >= 1.25 * t.kg_before
               AND t.kg_now >= 0.1 * c.kg_now
               AND t.unit_value BETWEEN 0.5 * c.unit_value AND 2 * c.unit_value
               AS flagged
    FROM to_target t
    JOIN from_china c USING (source, reporter_iso3, window_months, period_end, nomenclature, code)
)
SELECT
    s.*,
    CASE WHEN s.flagged THEN
        s.reporter_iso3 || ' imported ' || round(s.imports_from_china_kg / 1000, 1)
        || ' t from China in the ' || s.window_months || ' months to '
        || strftime(s.period_end, '%Y-%m') || ' ('
        || coalesce('+' || round(100 * s.imports_from_china_change)::BIGINT || '%', 'from none')
        || ') and exported ' || round(s.exports_to_target_kg / 1000, 1) || ' t to '
        || s.target_iso3 || ' (' || coalesce('+' || round(100 * s.exports_to_target_change)::BIGINT || '%',
            'from none') || '), on ' || l.nomenclature || ' ' || l.code || ' (' || l.product
        || CASE WHEN l.is_basket THEN '; a basket: an upper bound' ELSE '' END
        || '), at ' || round(s.export_unit_value_usd_per_kg, 1) || ' USD/kg out against '
        || round(s.import_unit_value_usd_per_kg, 1) || ' USD/kg in: a pattern transit would show, '
        || 'not evidence of it' END AS screen_note,
    l.commodity,
    l.element,
    l.product,
    l.is_basket
FROM screened s
JOIN staging.national_tariff_lines l USING (nomenclature, code)
ORDER BY s.flagged DESC, s.source, s.reporter_iso3, s.nomenclature, s.code, s.target_iso3,
         s.window_months, s.period_end
