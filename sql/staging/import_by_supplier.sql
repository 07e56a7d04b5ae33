-- staging.import_by_supplier: one row per (importer_iso3, exporter_iso3, commodity, stage, year):
-- what each importer buys from each supplier (BACI, all mapped HS6 codes of the stage summed).
-- Importers are every country plus EU27: extra-EU imports of the EU as constituted that year
-- (staging.eu_membership; GBR a member up to 2019), i.e. member imports from non-members.
WITH flows AS (
    SELECT importer_iso3, exporter_iso3, commodity, stage, year, value_usd, quantity_t,
           exclusivity = 'shared' AS is_shared
    FROM staging.trade_flows
),
eu_flows AS (
    SELECT 'EU27' AS importer_iso3, f.exporter_iso3, f.commodity, f.stage, f.year,
           f.value_usd, f.quantity_t, f.is_shared
    FROM flows AS f
    JOIN staging.eu_membership AS mi
        ON mi.iso3 = f.importer_iso3
       AND f.year >= mi.joined AND (mi."left" IS NULL OR f.year < mi."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.eu_membership AS mx
        WHERE mx.iso3 = f.exporter_iso3
          AND f.year >= mx.joined AND (mx."left" IS NULL OR f.year < mx."left")
    )
)
SELECT importer_iso3, exporter_iso3, commodity, stage, year,
       sum(value_usd) AS value_usd,
       sum(quantity_t) AS quantity_t,
       bool_or(is_shared) AS includes_shared_codes
FROM (SELECT * FROM flows UNION ALL SELECT * FROM eu_flows)
GROUP BY ALL
