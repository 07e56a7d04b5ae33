-- `minerals prices COMMODITY [--importer X]`: annual trade unit values (BACI, USD per t gross
-- weight, outliers left out) of the commodity's codes, 2018 on, each year an export control on the
-- commodity took effect marked [measure]: without --importer, China's exports to the world and
-- the code's world median; with it, the importer's imports from all origins and from China.
-- A basket code's line is the mix's unit value (product_label says so), not one mineral's price.
WITH codes AS (
    SELECT nomenclature, hs6 FROM staging.dim_hs_content
    WHERE list_contains(string_split(contains, '|'), $commodity)
    UNION
    SELECT nomenclature, hs6 FROM staging.dim_hs_mineral WHERE commodity = $commodity
),
measures AS (
    SELECT year(effective) AS year, string_agg(measure_id, ' ' ORDER BY effective) AS ids
    FROM staging.export_controls
    WHERE list_contains(commodities, $commodity)
    GROUP BY 1
),
lines AS (
    SELECT u.nomenclature, u.hs6, u.product_label, u.year, u.quantity_t,
           CASE WHEN u.importer_iso3 = 'WLD' THEN 'China -> world'
                WHEN u.exporter_iso3 = 'WLD' THEN u.importer_iso3 || ' <- all origins'
                ELSE u.importer_iso3 || ' <- China' END AS line,
           u.unit_value_usd_per_t AS usd_per_t
    FROM marts.unit_values AS u
    JOIN codes USING (nomenclature, hs6)
    WHERE u.frequency = 'annual' AND u.year >= 2018 AND u.unit_value_usd_per_t IS NOT NULL
      AND CASE WHEN $importer IS NULL
               THEN u.exporter_iso3 = 'CHN' AND u.importer_iso3 = 'WLD'
               ELSE u.importer_iso3 = $importer AND u.exporter_iso3 IN ('WLD', 'CHN') END
    UNION ALL
    SELECT DISTINCT u.nomenclature, u.hs6, u.product_label, u.year, NULL, 'world median',
           u.world_median_usd_per_t
    FROM marts.unit_values AS u
    JOIN codes USING (nomenclature, hs6)
    WHERE $importer IS NULL AND u.frequency = 'annual' AND u.year >= 2018
      AND u.world_median_nomenclature = u.nomenclature
)
SELECT
    product_label AS code, line,
    string_agg(year || ' ' || format('{:,}', round(usd_per_t)::BIGINT)
        || coalesce(' [' || m.ids || ']', ''), ', ' ORDER BY year) AS "USD/t by year",
    round(arg_max(quantity_t, year)) AS "tonnes, last year"
FROM lines
LEFT JOIN measures AS m USING (year)
GROUP BY nomenclature, hs6, product_label, line
ORDER BY nomenclature, hs6, line
