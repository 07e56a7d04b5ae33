-- `minerals brief ... --importer X`, "Stockpile cover": if one of the five largest exporters
-- the importer buys from stopped, the supply lost and the stockpile covering 3, 6 and 12 months
-- of it, latest year per stage (marts.stockpile_cover); each row's basis says what its tonnes
-- are (USGS consumption x net import reliance, or BACI net imports in gross weight).
SELECT s.stage, s.year, s.supplier_iso3, c.name AS supplier, s.basis,
       s.supplier_share_quantity, s.annual_at_risk_t, s.stockpile_3m_t, s.stockpile_6m_t,
       s.stockpile_12m_t, s.unit_value_usd_per_t, s.stockpile_6m_value_usd,
       s.government_stocks_t, s.government_stocks_months, s.industry_stocks_t,
       s.industry_stocks_months, s.us_product, s.net_imports_t, p.product_label,
       p.includes_basket
FROM marts.stockpile_cover AS s
LEFT JOIN staging.trade_products AS p USING (commodity, stage)  -- the products in words
LEFT JOIN staging.dim_country AS c ON c.iso3 = s.supplier_iso3
WHERE s.importer_iso3 = $importer AND s.commodity = $commodity
QUALIFY s.year = max(s.year) OVER (PARTITION BY s.stage)
ORDER BY list_position(['mining', 'refining', 'manufacturing'], s.stage),
         s.annual_at_risk_t DESC NULLS LAST
