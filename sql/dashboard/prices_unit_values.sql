-- Panel "Prices and unit values": annual trade unit values of the focus minerals' codes (BACI,
-- USD per kg gross weight, outliers left out), 2010 on: China's exports to the world, the code's
-- world median, and each page importer's imports from all origins. A basket code's line is the
-- mix's unit value: `product_label` says so.
WITH codes AS (
    SELECT DISTINCT nomenclature, hs6, commodity
    FROM staging.dim_hs_mineral
    WHERE stage <> 'exclude' AND commodity IN (SELECT commodity FROM staging.focus_commodities)
)
SELECT c.commodity, u.nomenclature, u.hs6, u.product_label, u.is_basket, u.year,
       CASE WHEN u.importer_iso3 = 'WLD' THEN 'China -> world'
            ELSE u.importer_iso3 || ' <- all origins' END AS line,
       u.importer_iso3 AS importer, round(u.unit_value_usd_per_kg, 4) AS usd_per_kg,
       round(u.quantity_t) AS quantity_t
FROM marts.unit_values AS u
JOIN codes AS c USING (nomenclature, hs6)
WHERE u.frequency = 'annual' AND u.year >= 2010 AND u.unit_value_usd_per_kg > 0
  AND (u.exporter_iso3 = 'CHN' AND u.importer_iso3 = 'WLD'
       OR u.exporter_iso3 = 'WLD' AND list_contains($importers, u.importer_iso3))
UNION ALL
SELECT DISTINCT c.commodity, u.nomenclature, u.hs6, u.product_label, u.is_basket, u.year,
       'world median', 'WLD', round(u.world_median_usd_per_t / 1000, 4), NULL
FROM marts.unit_values AS u
JOIN codes AS c USING (nomenclature, hs6)
WHERE u.frequency = 'annual' AND u.year >= 2010 AND u.world_median_nomenclature = u.nomenclature
ORDER BY commodity, nomenclature, hs6, line, year
