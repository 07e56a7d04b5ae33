-- `minerals prices COMMODITY [--importer X]`: what the importer (USA and JPN without --importer)
-- paid before and after each export control on the commodity, equal windows (annual BACI: the
-- year before vs the year after; monthly, China's declarations or the importer's own: the
-- longest complete window of 12, 6 or 3 months, else 12), with why a change is missing (a window
-- the data do not cover) or why the control-premium screen did not fire.
WITH codes AS (
    SELECT nomenclature, hs6 FROM staging.dim_hs_content
    WHERE list_contains(string_split(contains, '|'), $commodity)
    UNION
    SELECT nomenclature, hs6 FROM staging.dim_hs_mineral WHERE commodity = $commodity
)
SELECT measure_id AS measure, hs6, importer_iso3 AS importer, origin, source, frequency,
       CASE frequency WHEN 'annual' THEN strftime(before_from, '%Y') || ' vs '
                                         || strftime(after_from, '%Y')
            ELSE strftime(before_from, '%Y-%m') || '..' || strftime(after_to, '%Y-%m') END
           AS windows,
       round(uv_before_usd_per_t) AS "USD/t before", round(uv_after_usd_per_t) AS "USD/t after",
       round(100 * premium, 1) AS "change %", fires,
       coalesce(why_not_fired, 'fires') AS screen, is_basket AS basket
FROM marts.screen_control_premium
WHERE list_contains((SELECT commodities FROM staging.export_controls AS m
                     WHERE m.measure_id = screen_control_premium.measure_id), $commodity)
  AND hs6 IN (SELECT hs6 FROM codes)  -- the code in any nomenclature (an HS2022 line too)
  AND (importer_iso3 = $importer OR $importer IS NULL AND importer_iso3 IN ('USA', 'JPN'))
QUALIFY row_number() OVER (
    PARTITION BY measure_id, source, nomenclature, hs6, importer_iso3, origin, frequency
    ORDER BY is_complete DESC, window_months DESC) = 1
ORDER BY effective, measure_id, hs6, importer_iso3, origin, frequency, source
