-- marts.export_concentration: one row per (source, commodity, stage, basis, year): how
-- concentrated the world's EXPORTS of a trade series' products are (CEPII BACI), by value or by
-- quantity. HHI on the 0-10,000 scale from exporters' shares in percent, bands from the US 2010
-- Horizontal Merger Guidelines, and the change since the previous year. Export concentration of a
-- product is not mining or refining concentration: its top country is the top exporter (China
-- mines about a third of the world's antimony but exports a sliver of antimony ore). A basket code
-- (includes_basket) makes it a figure on the basket, not on the commodity. Flows in
-- staging.trade_outliers are left out; outlier_share says how much of the world's exports they were.
WITH shares AS (
    SELECT
        source, commodity, stage, basis, year,
        any_value(unit) AS unit,
        any_value(unit_basis) AS unit_basis,
        sum(amount) AS world_total,
        count(*) AS n_exporters,
        arg_max(iso3, amount) FILTER (WHERE rank = 1) AS top_exporter_iso3,
        max(share) AS top_exporter_share,
        sum(share) FILTER (WHERE rank <= 3) AS top3_share,
        sum(power(share * 100, 2)) AS hhi,
        coalesce(sum(share) FILTER (WHERE iso3 = 'CHN'), 0) AS china_share,
        any_value(nomenclature) AS nomenclature,
        any_value(hs_codes) AS hs_codes,
        any_value(product) AS product,
        bool_or(includes_basket) AS includes_basket,
        any_value(product_label) AS product_label
    FROM marts.export_share
    GROUP BY source, commodity, stage, basis, year
),
outliers AS (  -- what the left-out flows were worth, on each basis
    SELECT o.commodity, o.stage, o.year,
           sum(o.value_usd) AS value_usd, sum(o.quantity_t) AS quantity_t
    FROM (SELECT DISTINCT nomenclature, year, hs6, commodity, stage, exporter_iso3,
                          importer_iso3, value_usd, quantity_t
          FROM staging.trade_outliers) AS o
    GROUP BY ALL
),
banded AS (
    SELECT
        s.*,
        10000.0 / nullif(s.hhi, 0) AS effective_exporters,
        CASE
            WHEN s.hhi > 2500 THEN 'highly concentrated'
            WHEN s.hhi >= 1500 THEN 'moderately concentrated'
            ELSE 'unconcentrated'
        END AS concentration_band,
        coalesce(CASE s.basis WHEN 'export_value' THEN o.value_usd ELSE o.quantity_t END, 0)
            AS outlier_amount
    FROM shares AS s
    LEFT JOIN outliers AS o USING (commodity, stage, year)
)
SELECT
    source, commodity, stage, basis, year, world_total, unit, unit_basis, n_exporters,
    top_exporter_iso3, top_exporter_share, top3_share, hhi, effective_exporters, china_share,
    concentration_band,
    lag(year) OVER w AS previous_year,
    hhi - lag(hhi) OVER w AS hhi_change,
    china_share - lag(china_share) OVER w AS china_share_change,
    lag(concentration_band) OVER w AS previous_band,
    outlier_amount / (world_total + outlier_amount) AS outlier_share,
    nomenclature, hs_codes, product, includes_basket, product_label
FROM banded
WINDOW w AS (PARTITION BY source, commodity, stage, basis ORDER BY year)
ORDER BY source, commodity, stage, basis, year
