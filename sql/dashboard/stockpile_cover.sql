-- Panel "Stockpile cover": per picked importer ($importers) and focus commodity, latest year,
-- each of the importer's own five largest suppliers: six months of the flow that stops (BACI
-- USD), the supply at risk on the series' basis with its unit basis and source, the stockpile
-- for 3, 6 and 12 months of it and the months a 6-month stockpile covers.
SELECT importer_iso3 AS importer, commodity, stage, year, supplier_iso3 AS supplier,
       supplier_rank, basis, unit_basis, source,
       round(supplier_share_quantity, 3) AS supplier_share,
       round(flow_stops_t) AS flow_stops_t,
       round(flow_stops_value_usd * 6 / 12, -3) AS flow_6m_value_usd,
       round(annual_at_risk_t) AS annual_at_risk_t,
       round(stockpile_3m_t) AS stockpile_3m_t,
       round(stockpile_6m_t) AS stockpile_6m_t,
       round(stockpile_12m_t) AS stockpile_12m_t,
       round(months_covered_by_6m_stockpile, 1) AS months_covered_by_6m_stockpile,
       round(exports_replacement_ratio, 2) AS exports_replacement_ratio,
       round(government_stocks_months, 1) AS government_stocks_months,
       round(industry_stocks_months, 1) AS industry_stocks_months,
       product_label AS products,
       note
FROM marts.stockpile_cover
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
  AND list_contains($importers, importer_iso3)
QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity)
ORDER BY importer, commodity, stage, supplier_rank
