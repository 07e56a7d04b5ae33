-- marts.screen_flooding: China's export unit value against the other exporters' of the same code
-- and year (BACI, marts.unit_values, outliers left out), and China's share of world export tonnes.
-- The flooding pattern: a persistent discount while China's share rises. The screen fires on a
-- year that ends a run of at least 3 consecutive years in which China's unit value was at least
-- 20% below the other exporters' tonne-weighted median, if China's share of world tonnes rose by
-- at least 5 points over the run, China shipped at least 5% of world tonnes, and at least 3 other
-- exporters shipped. Never on a basket code (the gap may be the mix). It is a screen for the
-- "less than normal value" question of WTO Anti-Dumping Agreement Art. 2.1, not an answer to it:
-- docs/prices.md says what unit values can and cannot show.
WITH bilateral AS (
    SELECT nomenclature, hs6, year, exporter_iso3, quantity_t, unit_value_usd_per_t AS uv
    FROM marts.unit_values
    WHERE frequency = 'annual' AND partner_scope = 'bilateral' AND quantity_t > 0
      AND unit_value_usd_per_t IS NOT NULL
),
others_ranked AS (
    SELECT nomenclature, hs6, year, uv,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year ORDER BY uv, exporter_iso3
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS below_t,
           sum(quantity_t) OVER (PARTITION BY nomenclature, hs6, year) AS others_t
    FROM bilateral
    WHERE exporter_iso3 <> 'CHN'
),
others AS (
    SELECT o.nomenclature, o.hs6, o.year, min(o.uv) AS others_median_usd_per_t,
           any_value(o.others_t) AS others_t,
           any_value(n.n_other_exporters) AS n_other_exporters
    FROM others_ranked AS o
    JOIN (SELECT nomenclature, hs6, year, count(DISTINCT exporter_iso3) AS n_other_exporters
          FROM bilateral WHERE exporter_iso3 <> 'CHN' GROUP BY ALL) AS n
        USING (nomenclature, hs6, year)
    WHERE o.below_t >= o.others_t / 2
    GROUP BY ALL
),
china AS (
    SELECT nomenclature, hs6, year, commodity, stage, product_label, is_basket,
           value_with_quantity_usd, quantity_t AS china_t, unit_value_usd_per_t AS china_uv
    FROM marts.unit_values
    WHERE frequency = 'annual' AND partner_scope = 'exporter_to_world' AND exporter_iso3 = 'CHN'
      AND quantity_t > 0
),
yearly AS (
    SELECT c.*, o.others_median_usd_per_t, o.n_other_exporters,
           c.china_t / (c.china_t + o.others_t) AS china_share_t,
           1 - c.china_uv / o.others_median_usd_per_t AS china_discount,
           1 - c.china_uv / o.others_median_usd_per_t >= 0.20 AS is_discounted
    FROM china AS c
    JOIN others AS o USING (nomenclature, hs6, year)
),
runs AS (  -- consecutive years with a discount: a gap year or a year without one ends a run
    SELECT *,
        sum(CASE WHEN is_discounted AND prev_discounted AND prev_year = year - 1 THEN 0 ELSE 1 END)
            OVER (PARTITION BY nomenclature, hs6 ORDER BY year) AS run_id
    FROM (
        SELECT *, lag(is_discounted) OVER w AS prev_discounted, lag(year) OVER w AS prev_year
        FROM yearly
        WINDOW w AS (PARTITION BY nomenclature, hs6 ORDER BY year)
    )
),
scored AS (
    SELECT *,
        CASE WHEN is_discounted THEN count(*) OVER r END AS discount_years,
        CASE WHEN is_discounted THEN first_value(year) OVER r END AS run_from,
        CASE WHEN is_discounted THEN first_value(china_share_t) OVER r END AS share_at_run_start
    FROM runs
    WINDOW r AS (PARTITION BY nomenclature, hs6, run_id ORDER BY year
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT
    nomenclature, hs6, year, commodity, stage, product_label, is_basket,
    china_uv AS china_unit_value_usd_per_t, others_median_usd_per_t, china_discount,
    china_t AS china_quantity_t, china_share_t, n_other_exporters,
    coalesce(discount_years, 0) AS discount_years, run_from, share_at_run_start,
    china_share_t - share_at_run_start AS share_change_over_run,
    coalesce(NOT is_basket AND discount_years >= 3 AND china_share_t - share_at_run_start >= 0.05
             AND china_share_t >= 0.05 AND n_other_exporters >= 3, false) AS fires,
    CASE WHEN is_basket THEN 'a basket code: a unit-value gap may be the mix of products'
         WHEN NOT is_discounted THEN 'China''s unit value is not 20% below the others'''
         WHEN discount_years < 3 THEN 'a discount for ' || discount_years || ' year(s), not 3'
         WHEN china_share_t - share_at_run_start < 0.05
             THEN 'China''s share did not rise 5 points over the run'
         WHEN china_share_t < 0.05 THEN 'China ships under 5% of world tonnes'
         WHEN n_other_exporters < 3 THEN 'fewer than 3 other exporters'
    END AS why_not_fired,
    product_label || ': China''s export unit value ' || format('{:,}', round(china_uv)::BIGINT)
        || ' USD/t against the other exporters'' median '
        || format('{:,}', round(others_median_usd_per_t)::BIGINT) || ' USD/t ('
        || CASE WHEN china_discount >= 0 THEN round(100 * china_discount)::INT || '% below'
                ELSE round(-100 * china_discount)::INT || '% above' END || ') in ' || year
        || CASE WHEN discount_years >= 2 THEN ', at least 20% below in each of the '
                || discount_years || ' years ' || run_from || '-' || year ELSE '' END
        || '; China''s share of world export tonnes ' || round(100 * china_share_t)::INT || '%'
        || CASE WHEN discount_years >= 2 THEN ' (' || round(100 * share_at_run_start)::INT
                || '% in ' || run_from || ')' ELSE '' END
        || ' (BACI exports, value FOB USD over tonnes gross weight, outliers left out)'
        AS evidence
FROM scored
ORDER BY nomenclature, hs6, year
