-- `minerals scenario SUPPLIER --importer I --commodity C --months N`: what the importer loses if
-- the supplier stops, who could replace it and the stockpile that would cover the gap, the
-- latest year per stage in which the importer buys from the supplier.
-- marts.disruption_exposure: the loss, replacement by production and by trade;
-- marts.stockpile_cover: supply at risk in tonnes, stockpile, stocks on hand.
SELECT
    d.commodity, d.stage, d.year,
    d.quantity_at_risk_t AS lost_imports_t,
    d.value_at_risk_usd AS lost_value_usd,
    d.share_at_risk AS lost_share_of_import_value,
    c.supplier_share_quantity AS lost_share_of_import_quantity,
    c.basis,
    c.net_imports_t,
    c.annual_at_risk_t,
    c.annual_at_risk_t / nullif(coalesce(c.apparent_consumption_t, c.net_imports_t), 0)
        AS share_of_consumption,
    d.production_source, d.production_year,
    d.supplier_production_t,
    d.rest_of_world_production_t,
    d.production_replacement_ratio,
    d.rest_of_world_production_per_lost_t,
    d.alternative_supply_ratio AS others_exports_per_lost_value,
    d.world_alternative_supply_ratio AS others_exports_per_supplier_exports,
    c.annual_at_risk_t * $months / 12 AS stockpile_t,
    c.annual_at_risk_t * $months / 12 * c.unit_value_usd_per_t AS stockpile_value_usd,
    c.government_stocks_t, c.government_stocks_months,
    c.industry_stocks_t, c.industry_stocks_months,
    d.product_label, d.includes_basket
FROM marts.disruption_exposure d
LEFT JOIN marts.stockpile_cover c
  ON c.importer_iso3 = d.importer_iso3 AND c.supplier_iso3 = d.supplier_iso3
 AND c.commodity = d.commodity AND c.stage = d.stage AND c.year = d.year
WHERE d.supplier_iso3 = $supplier AND d.importer_iso3 = $importer AND d.commodity = $commodity
QUALIFY d.year = max(d.year) OVER (PARTITION BY d.stage)
ORDER BY d.stage
