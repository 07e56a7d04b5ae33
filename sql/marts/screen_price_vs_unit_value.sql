-- marts.screen_price_vs_unit_value: USGS's price (marts.prices, the latest edition of each year)
-- beside the trade unit value of the same scope (marts.unit_values), for the reviewed pairs of
-- staging.price_trade_pairs, every year both exist. A large gap says one of the two is not the
-- price an analyst takes it for (a grade, a market, a basket). The screen fires on a same-scope
-- pair whose two figures differ by a factor of 2 or more either way (CIF against FOB and grade
-- spreads are a few percent to tens of percent); part and basket pairs are shown, labelled, and
-- never fire. Exporter and importer WLD together stand for the code's world median unit value.
WITH priced AS (
    SELECT p.*, t.nomenclature, t.hs6, t.exporter_iso3, t.importer_iso3, t.relation,
           t.note AS pair_note
    FROM marts.prices AS p
    JOIN staging.price_trade_pairs AS t USING (commodity, product, price_basis)
    WHERE p.is_latest_edition AND p.price_usd_per_t IS NOT NULL
),
trade AS (
    SELECT nomenclature, hs6, year, exporter_iso3, importer_iso3, product_label, is_basket,
           unit_value_usd_per_t, quantity_t, 'BACI ' || exporter_iso3 || ' -> ' || importer_iso3
               || ', FOB USD per t gross weight' AS trade_scope
    FROM marts.unit_values
    WHERE frequency = 'annual' AND unit_value_usd_per_t IS NOT NULL
    UNION ALL
    SELECT DISTINCT nomenclature, hs6, year, 'WLD', 'WLD', product_label, is_basket,
           world_median_usd_per_t, NULL,
           'BACI world median unit value (tonne-weighted), FOB USD per t gross weight'
    FROM marts.unit_values
    WHERE frequency = 'annual' AND world_median_nomenclature = nomenclature
)
SELECT
    p.commodity, p.product, p.price_basis, p.year, p.edition, p.quoted_source, p.terms,
    p.nomenclature, p.hs6, p.exporter_iso3, p.importer_iso3, t.product_label, p.relation,
    p.price_usd_per_t AS usgs_price_usd_per_t, t.unit_value_usd_per_t AS trade_unit_value_usd_per_t,
    p.price_usd_per_t / t.unit_value_usd_per_t AS price_to_unit_value,
    p.relation = 'same' AND (p.price_usd_per_t / t.unit_value_usd_per_t >= 2
                             OR p.price_usd_per_t / t.unit_value_usd_per_t <= 0.5) AS fires,
    CASE WHEN p.relation = 'part' THEN 'the price is for a part of the code''s products'
         WHEN p.relation = 'basket' THEN 'a basket comparison: the code mixes several '
             || 'minerals or elements'
         WHEN p.price_usd_per_t / t.unit_value_usd_per_t BETWEEN 0.5 AND 2
             THEN 'within a factor of 2' END AS why_not_fired,
    CASE p.relation WHEN 'basket' THEN 'Basket comparison, not ' || p.commodity || '''s price: '
                    WHEN 'part' THEN 'Part of the code: ' ELSE '' END
        || p.product || ' ' || format('{:,}', round(p.price_usd_per_t)::BIGINT) || ' USD/t (USGS ' || p.edition
        || ', ' || replace(p.price_basis, '_', ' ')
        || coalesce(', ' || p.quoted_source, '') || coalesce(', ' || p.terms, '') || ') vs '
        || t.product_label || ' ' || format('{:,}', round(t.unit_value_usd_per_t)::BIGINT)
        || ' USD/t ('
        || t.trade_scope || '), ' || p.year || ': ratio '
        || round(p.price_usd_per_t / t.unit_value_usd_per_t, 2) AS evidence,
    p.pair_note
FROM priced AS p
JOIN trade AS t USING (nomenclature, hs6, year, exporter_iso3, importer_iso3)
ORDER BY p.commodity, p.product, p.year
