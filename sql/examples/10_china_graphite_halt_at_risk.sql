-- If China stopped exporting natural graphite, what would each importer lose (latest year)?
-- products: the traded products the figures are on (HS 250410, 250490: natural graphite).
SELECT importer_iso3, year, round(value_at_risk_usd / 1e6, 1) AS at_risk_musd,
       round(100 * share_at_risk, 1) AS share_at_risk_pct,
       round(alternative_supply_ratio, 1) AS others_exports_per_dollar_lost,
       round(100 * partner_group_share, 1) AS from_partner_group_pct,
       product_label AS products
FROM marts.disruption_exposure
WHERE supplier_iso3 = 'CHN' AND commodity = 'graphite' AND stage = 'mining'
QUALIFY year = max(year) OVER ()
ORDER BY value_at_risk_usd DESC
LIMIT 20;
