-- `minerals brief`, "Prices": the commodity's HS codes that the window and flooding screens test
-- and that are baskets (staging.dim_hs_content: several minerals, or several elements), in
-- their own words: no screen fires on them, their unit value being the mix's (docs/prices.md).
SELECT DISTINCT c.hs6, c.product, c.basket
FROM staging.dim_hs_content AS c
WHERE c.basket IN ('commodity', 'element')
  AND list_contains(string_split(c.contains, '|'), $commodity)
  AND c.hs6 IN (SELECT hs6 FROM marts.screen_control_premium WHERE commodity = $commodity
                UNION SELECT hs6 FROM marts.screen_price_discrimination WHERE commodity = $commodity
                UNION SELECT hs6 FROM marts.screen_flooding WHERE commodity = $commodity)
ORDER BY c.hs6
