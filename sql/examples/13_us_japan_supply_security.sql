-- Supply security for the US, Japan and the US-Japan bloc if China stops: net import reliance
-- (USGS, US only), China's share of imports by quantity and by value, the stockpile for 6 months
-- on its basis and unit basis (docs/stockpile.md), months that US government stocks cover, replacement by production, GeoPolRisk (latest trade year).
-- products says what the trade figures are on: gallium's is a basket (HS 811292), an upper bound.
WITH pick AS (
    SELECT * FROM (VALUES ('rare_earths', 'refining'), ('graphite', 'mining'),
                          ('gallium', 'refining'), ('cobalt', 'refining')) t(commodity, stage)
)
SELECT d.commodity, d.stage, d.importer_iso3 AS importer, d.year,
       n.nir_pct AS us_nir_pct, n.nir_raw AS us_nir_raw,
       round(100 * d.china_share_quantity, 1) AS china_pct_quantity,
       round(100 * d.china_share, 1) AS china_pct_value,
       round(c.stockpile_6m_t) AS stockpile_6m_t, c.basis AS stockpile_basis,
       c.unit_basis AS stockpile_unit_basis,
       round(c.government_stocks_months, 1) AS gov_stock_months,
       round(c.industry_stocks_months, 1) AS us_industry_stock_months,
       round(e.production_replacement_ratio, 3) AS replacement_by_production,
       round(e.world_alternative_supply_ratio, 2) AS trade_ratio_not_capacity,
       round(r.geopolrisk, 4) AS geopolrisk,
       d.product_label AS products
FROM marts.import_dependence d
JOIN pick USING (commodity, stage)
LEFT JOIN marts.stockpile_cover c
  ON c.importer_iso3 = d.importer_iso3 AND c.commodity = d.commodity AND c.stage = d.stage
 AND c.year = d.year AND c.supplier_iso3 = 'CHN'
LEFT JOIN marts.disruption_exposure e
  ON e.importer_iso3 = d.importer_iso3 AND e.commodity = d.commodity AND e.stage = d.stage
 AND e.year = d.year AND e.supplier_iso3 = 'CHN'
LEFT JOIN marts.importer_supply_risk r
  ON r.importer_iso3 = d.importer_iso3 AND r.commodity = d.commodity AND r.stage = d.stage
 AND r.year = d.year
LEFT JOIN marts.us_net_import_reliance n
  ON d.importer_iso3 = 'USA' AND n.commodity = d.commodity AND n.year = d.year
 AND n.nir_flag <> 'net_exporter'
WHERE d.importer_iso3 IN ('USA', 'JPN', 'USA_JPN') AND d.year = 2024
QUALIFY row_number() OVER (PARTITION BY d.commodity, d.importer_iso3 ORDER BY n.product) = 1
ORDER BY d.commodity, d.importer_iso3
