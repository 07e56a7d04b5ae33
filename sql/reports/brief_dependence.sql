-- `minerals brief ... --importer X`, "Who supplies the importer": the importer's imports of
-- the commodity per stage of the traded products, latest year of each series (CEPII BACI,
-- shares of import value and of tonnes), with the products in words (product_label: a basket
-- code says so, an upper bound) and the reviewed note of each code that is a basket of
-- commodities or mixes elements (staging.dim_hs_content). EU27 and blocs: trade across their
-- border only. The US row's usgs_imports_t is USGS's own import figure on the products.
WITH notes AS (
    SELECT m.stage,
           string_agg(DISTINCT 'HS ' || m.hs6 || ': ' || c.note, '; ') AS basket_note
    FROM staging.dim_hs_mineral AS m
    JOIN staging.dim_hs_content AS c USING (nomenclature, hs6)
    WHERE m.commodity = $commodity AND coalesce(c.basket, '') <> '' AND coalesce(c.note, '') <> ''
    GROUP BY ALL
)
SELECT d.stage, d.year, d.import_value_usd, d.import_quantity_t, d.n_suppliers,
       d.top_supplier_iso3, c.name AS top_supplier, d.top_supplier_share, d.china_share,
       d.china_share_quantity, d.value_share_with_quantity, d.supplier_hhi,
       d.exceeds_eu_65pct_cap, d.product_label, d.includes_basket, n.basket_note,
       d.world_production_t, d.world_production_scope, d.imports_exceed_world_production
FROM marts.import_dependence AS d
LEFT JOIN notes AS n USING (stage)
LEFT JOIN staging.dim_country AS c ON c.iso3 = d.top_supplier_iso3
WHERE d.importer_iso3 = $importer AND d.commodity = $commodity
QUALIFY d.year = max(d.year) OVER (PARTITION BY d.stage)
ORDER BY list_position(['mining', 'refining', 'manufacturing'], d.stage)
