-- staging.import_by_supplier: one row per (importer_iso3, exporter_iso3, commodity, stage, year):
-- what each importer buys from each supplier (BACI, all mapped HS6 codes of the stage summed).
-- Importers are every country plus EU27: extra-EU imports of the EU as constituted that year
-- (staging.eu_membership; GBR a member up to 2019), i.e. member imports from non-members.
-- Blocs the same way (staging.bloc_members: USA_JPN, the partner group): members' imports from
-- outside the bloc only. Flows that fail a plausibility test (staging.trade_outliers) are left out.
WITH flows AS (
    SELECT importer_iso3, exporter_iso3, commodity, stage, year, value_usd, quantity_t,
           exclusivity = 'shared' AS is_shared
    FROM staging.trade_flows_checked AS f
),
bloc_flows AS (
    SELECT mi.bloc AS importer_iso3, f.exporter_iso3, f.commodity, f.stage, f.year,
           f.value_usd, f.quantity_t, f.is_shared
    FROM flows AS f
    JOIN staging.bloc_members AS mi
        ON mi.iso3 = f.importer_iso3
       AND (mi.joined IS NULL OR f.year >= mi.joined)
       AND (mi."left" IS NULL OR f.year < mi."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.bloc_members AS mx
        WHERE mx.bloc = mi.bloc AND mx.iso3 = f.exporter_iso3
          AND (mx.joined IS NULL OR f.year >= mx.joined)
          AND (mx."left" IS NULL OR f.year < mx."left")
    )
)
SELECT importer_iso3, exporter_iso3, commodity, stage, year,
       sum(value_usd) AS value_usd,
       sum(quantity_t) AS quantity_t,
       bool_or(is_shared) AS includes_shared_codes,
       coalesce(sum(value_usd) FILTER (WHERE quantity_t IS NOT NULL), 0)
           AS value_usd_with_quantity
FROM (SELECT * FROM flows UNION ALL SELECT * FROM bloc_flows)
GROUP BY ALL
