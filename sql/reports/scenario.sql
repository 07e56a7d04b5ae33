-- `minerals scenario SUPPLIER --importer I --commodity C --months N`: what the importer loses if
-- the supplier stops, who could replace it and the stockpile that would cover the gap, the
-- latest year per stage in which the importer buys from the supplier, each figure with its
-- scope (products, basis, unit basis, source).
-- marts.stockpile_cover (the importer's own five largest suppliers): the flow that stops, the
-- supply at risk on the series' basis, replacement on the same scope, stockpile, stocks on hand;
-- marts.disruption_exposure (the world's five largest exporters): the loss by value and the
-- trade ratio. A supplier in only one of the two has the other's figures empty.
WITH keys AS (
    SELECT commodity, stage, year FROM marts.stockpile_cover
    WHERE supplier_iso3 = $supplier AND importer_iso3 = $importer AND commodity = $commodity
    UNION
    SELECT commodity, stage, year FROM marts.disruption_exposure
    WHERE supplier_iso3 = $supplier AND importer_iso3 = $importer AND commodity = $commodity
)
SELECT
    k.commodity, k.stage, k.year,
    coalesce(c.flow_stops_t, d.quantity_at_risk_t) AS lost_imports_t,
    coalesce(c.flow_stops_value_usd, d.value_at_risk_usd) AS lost_value_usd,
    d.share_at_risk AS lost_share_of_import_value,
    c.supplier_share_quantity AS lost_share_of_import_quantity,
    c.supplier_rank,
    d.supplier_export_rank,
    c.basis,
    c.unit_basis,
    c.source AS at_risk_source,
    c.us_product,
    c.usgs_import_sources_product,
    c.usgs_supplier_share,
    c.net_imports_t,
    c.is_net_exporter,
    c.annual_at_risk_t,
    c.annual_at_risk_t / nullif(c.reference_annual_t, 0) AS share_of_consumption,
    c.rest_of_world_exports_t,
    c.exports_replacement_ratio,
    c.production_source, c.production_year,
    c.rest_of_world_production_t,
    c.production_replacement_ratio,
    d.world_alternative_supply_ratio AS others_exports_per_supplier_exports,
    c.annual_at_risk_t * $months / 12 AS stockpile_t,
    CASE WHEN c.basis = 'imports' THEN c.flow_stops_value_usd * $months / 12 END
        AS stockpile_value_usd,
    c.months_covered_by_6m_stockpile,
    c.policy_target, c.policy_target_months_covered,
    c.government_stocks_t, c.government_stocks_months,
    c.industry_stocks_t, c.industry_stocks_months,
    tp.product_label, tp.includes_basket,
    c.note
FROM keys k
JOIN staging.trade_products tp ON tp.commodity = k.commodity AND tp.stage = k.stage
LEFT JOIN marts.stockpile_cover c
  ON c.importer_iso3 = $importer AND c.supplier_iso3 = $supplier
 AND c.commodity = k.commodity AND c.stage = k.stage AND c.year = k.year
LEFT JOIN marts.disruption_exposure d
  ON d.importer_iso3 = $importer AND d.supplier_iso3 = $supplier
 AND d.commodity = k.commodity AND d.stage = k.stage AND d.year = k.year
QUALIFY k.year = max(k.year) OVER (PARTITION BY k.stage)
ORDER BY k.stage
