-- staging.trade_products: one row per (commodity, stage) trade series: which HS codes feed it
-- (staging.dim_hs_mineral, one nomenclature per series), what they are in words, whether one is
-- a basket (staging.dim_hs_content), and the label every figure on the series carries
-- ("HS 811292: gallium, germanium and other metals; upper bound"). A basket's figures are an
-- upper bound for the commodity the series is named after, and its changes are not that
-- commodity's.
WITH codes AS (
    SELECT m.commodity, m.stage, m.nomenclature, m.hs6, c.product, c.basket,
           c.production_commodity, c.production_stage,
           CASE WHEN c.basket = 'commodity' THEN replace(trim(replace(
               '|' || c.contains || '|', '|' || m.commodity || '|', '|'), '|'), '|', ', ')
           END AS also_contains
    FROM staging.dim_hs_mineral AS m
    LEFT JOIN staging.dim_hs_content AS c USING (nomenclature, hs6)
    WHERE m.stage <> 'exclude'
),
series AS (
    SELECT
        commodity,
        stage,
        string_agg(DISTINCT nomenclature, ', ') AS nomenclature,
        string_agg(hs6, ', ' ORDER BY hs6) AS hs_codes,
        string_agg(product, '; ' ORDER BY hs6) AS product,
        coalesce(bool_or(basket = 'commodity'), false) AS includes_basket,
        coalesce(bool_or(basket = 'element'), false) AS mixes_elements,
        string_agg(also_contains, ', ' ORDER BY hs6) AS basket_also_contains,
        -- the world production the series' tonnes compare with (same unit basis), when every
        -- code of the series names the same one
        CASE WHEN count(DISTINCT production_commodity || '/' || production_stage) = 1
              AND count(*) FILTER (WHERE coalesce(production_commodity, '') = '') = 0
             THEN any_value(production_commodity) END AS production_commodity,
        CASE WHEN count(DISTINCT production_commodity || '/' || production_stage) = 1
              AND count(*) FILTER (WHERE coalesce(production_commodity, '') = '') = 0
             THEN any_value(production_stage) END AS production_stage
    FROM codes
    GROUP BY commodity, stage
)
SELECT
    *,
    'HS ' || hs_codes || ': ' || product
        || CASE WHEN includes_basket THEN '; upper bound' ELSE '' END AS product_label
FROM series
ORDER BY commodity, stage
