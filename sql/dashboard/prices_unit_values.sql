-- Panel "Prices and unit values": annual trade unit values of the focus minerals' codes (BACI,
-- USD per kg gross weight, outliers left out), 2010 on: China's exports to the world, the code's
-- world median, and each page importer's imports from all origins. A basket code's line is the
-- mix's unit value: `product_label` says so, and `code_label` (the chart's legend of codes) in
-- short words, the stage of the traded product and "basket" first, where a phone's legend does
-- not cut them (ores and metals share one chart, never one line).
WITH codes AS (
    SELECT DISTINCT m.nomenclature, m.hs6, m.commodity,
           'HS ' || m.hs6 || ' (' || m.stage || CASE WHEN c.basket <> '' THEN ', basket' ELSE '' END
               || ') ' || regexp_replace(coalesce(c.product, ''), ' \(.*\)$', '') AS code_label
    FROM staging.dim_hs_mineral AS m
    LEFT JOIN staging.dim_hs_content AS c USING (nomenclature, hs6)
    WHERE m.stage <> 'exclude' AND m.commodity IN (SELECT commodity FROM staging.focus_commodities)
)
SELECT c.commodity, u.nomenclature, u.hs6, u.product_label, u.is_basket, u.year,
       CASE WHEN u.importer_iso3 = 'WLD' THEN 'China -> world'
            ELSE u.importer_iso3 || ' <- all origins' END AS line,
       u.importer_iso3 AS importer, round(u.unit_value_usd_per_kg, 4) AS usd_per_kg,
       round(u.quantity_t) AS quantity_t, c.code_label
FROM marts.unit_values AS u
JOIN codes AS c USING (nomenclature, hs6)
WHERE u.frequency = 'annual' AND u.year >= 2010 AND u.unit_value_usd_per_kg > 0
  AND (u.exporter_iso3 = 'CHN' AND u.importer_iso3 = 'WLD'
       OR u.exporter_iso3 = 'WLD' AND list_contains($importers, u.importer_iso3))
UNION ALL
SELECT DISTINCT c.commodity, u.nomenclature, u.hs6, u.product_label, u.is_basket, u.year,
       'world median', 'WLD', round(u.world_median_usd_per_t / 1000, 4), NULL, c.code_label
FROM marts.unit_values AS u
JOIN codes AS c USING (nomenclature, hs6)
WHERE u.frequency = 'annual' AND u.year >= 2010 AND u.world_median_nomenclature = u.nomenclature
ORDER BY commodity, nomenclature, hs6, line, year
