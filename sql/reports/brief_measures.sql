-- `minerals brief`, "What the controls did": China's export-control measures on the commodity
-- (curated seed data/seeds/export_controls.csv, each with its official document), in the order
-- they took effect; a basket code among the HS codes a measure names says so
-- (staging.dim_hs_content: "811292 (basket: gallium, germanium and other metals)").
WITH baskets AS (
    SELECT hs6, any_value(product) AS product
    FROM staging.dim_hs_content
    WHERE basket = 'commodity'
    GROUP BY hs6
)
SELECT measure_id, measure, kind, announced, effective, status, status_changed, target_iso3,
       (SELECT string_agg(hs6_announced[i] || coalesce(' (basket: ' || b.product || ')', ''),
                          ', ' ORDER BY i)  -- in the measure's order
        FROM range(1, len(hs6_announced) + 1) AS r(i)
        LEFT JOIN baskets AS b ON b.hs6 = hs6_announced[i]) AS hs6_announced,
       source_document, source_url
FROM staging.export_controls
WHERE list_contains(commodities, $commodity)
ORDER BY effective, measure_id
