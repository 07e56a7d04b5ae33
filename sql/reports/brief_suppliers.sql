-- `minerals brief ... --importer X`, top suppliers: the importer's own five largest suppliers
-- by value per stage of the traded products, latest year (CEPII BACI), with each one's share of
-- the importer's imports by value and, where flows report tonnes, by weight (gross weight).
WITH flows AS (
    SELECT *
    FROM staging.import_by_supplier
    WHERE importer_iso3 = $importer AND commodity = $commodity
    QUALIFY year = max(year) OVER (PARTITION BY stage)
),
shares AS (
    SELECT stage, year, exporter_iso3, value_usd, quantity_t, includes_shared_codes,
           value_usd / sum(value_usd) OVER (PARTITION BY stage) AS share_value,
           quantity_t / sum(quantity_t) OVER (PARTITION BY stage) AS share_quantity,
           row_number() OVER (PARTITION BY stage ORDER BY value_usd DESC, exporter_iso3) AS rank
    FROM flows
    WHERE value_usd > 0
)
SELECT s.stage, s.year, s.rank, s.exporter_iso3 AS supplier_iso3, c.name AS supplier,
       s.value_usd, s.share_value, s.quantity_t, s.share_quantity, s.includes_shared_codes
FROM shares AS s
LEFT JOIN staging.dim_country AS c ON c.iso3 = s.exporter_iso3
WHERE s.rank <= 5
ORDER BY list_position(['mining', 'refining', 'manufacturing'], s.stage), s.rank
