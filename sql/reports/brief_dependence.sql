-- `minerals brief ... --importer X`, "Who the importer depends on": the importer's imports of
-- the commodity per stage of the traded products, latest year of each series (CEPII BACI,
-- shares of import value and of tonnes), with the HS codes the series counts and, for a basket
-- code, its own words (an upper bound). EU27 and blocs: trade across their border only.
WITH codes AS (
    SELECT commodity, stage,
           string_agg(DISTINCT nomenclature || ' ' || hs6, ', '
                      ORDER BY nomenclature || ' ' || hs6) AS hs_codes,
           string_agg(DISTINCT CASE WHEN exclusivity = 'shared'
                          THEN 'HS ' || hs6 || ' is a basket (' || note || '): an upper bound' END,
                      '; ') AS basket_note
    FROM staging.dim_hs_mineral
    WHERE commodity = $commodity
    GROUP BY ALL
)
SELECT d.stage, d.year, d.import_value_usd, d.import_quantity_t, d.n_suppliers,
       d.top_supplier_iso3, c.name AS top_supplier, d.top_supplier_share, d.china_share,
       d.china_share_quantity, d.value_share_with_quantity, d.supplier_hhi,
       d.exceeds_eu_65pct_cap, d.includes_shared_codes, k.hs_codes, k.basket_note
FROM marts.import_dependence AS d
LEFT JOIN codes AS k USING (commodity, stage)
LEFT JOIN staging.dim_country AS c ON c.iso3 = d.top_supplier_iso3
WHERE d.importer_iso3 = $importer AND d.commodity = $commodity
QUALIFY d.year = max(d.year) OVER (PARTITION BY d.stage)
ORDER BY list_position(['mining', 'refining', 'manufacturing'], d.stage)
