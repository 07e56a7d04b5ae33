-- Panel "Stockpile cover": per picked importer ($importers) and focus commodity, latest year,
-- the stockpile that covers six months of what each of its five largest suppliers ships.
SELECT importer_iso3 AS importer, commodity, stage, year, supplier_iso3 AS supplier,
       basis, round(supplier_share_quantity, 3) AS supplier_share,
       round(annual_at_risk_t) AS annual_at_risk_t,
       round(stockpile_3m_t) AS stockpile_3m_t,
       round(stockpile_6m_t) AS stockpile_6m_t,
       round(stockpile_12m_t) AS stockpile_12m_t,
       round(stockpile_6m_value_usd, -3) AS stockpile_6m_value_usd,
       round(government_stocks_months, 1) AS government_stocks_months,
       round(industry_stocks_months, 1) AS industry_stocks_months,
       p.product_label AS products
FROM marts.stockpile_cover
JOIN staging.trade_products p USING (commodity, stage)
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
  AND list_contains($importers, importer_iso3)
QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity)
ORDER BY importer, commodity, stage, stockpile_6m_value_usd DESC
