-- marts.import_dependence: one row per (importer_iso3, commodity, stage, year) from BACI bilateral
-- trade. Importers are every country (and historical BACI entity) plus EU27: extra-EU imports of
-- the EU as constituted that year (staging.eu_membership; GBR a member up to 2019), i.e. member
-- imports from non-members. Shares are of import value (0-1); supplier_hhi is 0-10,000 from
-- supplier shares in percent; exceeds_eu_65pct_cap flags a top supplier above 65% (EU Critical
-- Raw Materials Act benchmark). All mapped HS6 codes count, including shared (basket) codes:
-- includes_shared_codes says whether one contributed. import_quantity_t sums the flows that
-- report a quantity (BACI has none for some flows). Quantity basis (the publishers' basis:
-- USGS import sources, Eurostat): the same shares, HHI and China share from tonnes, over the
-- flows that report a quantity; value_share_with_quantity says how much of the value that is.
-- Blocs (USA_JPN, the partner group) as in staging.import_by_supplier.
WITH by_supplier AS (
    SELECT importer_iso3, commodity, stage, year, exporter_iso3, value_usd, quantity_t,
           includes_shared_codes AS is_shared, value_usd_with_quantity
    FROM staging.import_by_supplier
),
shares AS (
    SELECT
        *,
        value_usd / sum(value_usd) OVER (PARTITION BY importer_iso3, commodity, stage, year)
            AS share,
        quantity_t / sum(quantity_t) OVER (PARTITION BY importer_iso3, commodity, stage, year)
            AS quantity_share
    FROM by_supplier
)
SELECT
    importer_iso3,
    commodity,
    stage,
    year,
    sum(value_usd) AS import_value_usd,
    sum(quantity_t) AS import_quantity_t,
    count(*) FILTER (WHERE value_usd > 0) AS n_suppliers,
    first(exporter_iso3 ORDER BY value_usd DESC, exporter_iso3) AS top_supplier_iso3,
    max(share) AS top_supplier_share,
    coalesce(sum(share) FILTER (WHERE exporter_iso3 = 'CHN'), 0) AS china_share,
    sum(power(share * 100, 2)) AS supplier_hhi,
    max(share) > 0.65 AS exceeds_eu_65pct_cap,
    bool_or(is_shared) AS includes_shared_codes,
    first(exporter_iso3 ORDER BY quantity_t DESC NULLS LAST, exporter_iso3)
        FILTER (WHERE quantity_t > 0) AS top_supplier_iso3_quantity,
    max(quantity_share) AS top_supplier_share_quantity,
    CASE WHEN sum(quantity_t) > 0
         THEN coalesce(sum(quantity_share) FILTER (WHERE exporter_iso3 = 'CHN'), 0) END
        AS china_share_quantity,
    sum(power(quantity_share * 100, 2)) AS supplier_hhi_quantity,
    sum(value_usd_with_quantity) / nullif(sum(value_usd), 0) AS value_share_with_quantity
FROM shares
GROUP BY importer_iso3, commodity, stage, year
ORDER BY importer_iso3, commodity, stage, year
