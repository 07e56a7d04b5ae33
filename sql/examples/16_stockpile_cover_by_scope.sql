-- If China stopped supplying the US, Japan or both: for each series (latest year), the flow that
-- stops (BACI tonnes, gross weight), the supply at risk on the series' basis and unit basis (US
-- antimony, natural graphite and rare-earth compounds: USGS consumption x NIR x USGS's import-
-- source share), what the rest of the world exports of the same codes, and the months a stockpile
-- of 6 months of imports (or of US consumption) and Japan's JOGMEC 60-day target cover.
-- Formulas: docs/stockpile.md. products: the HS codes each figure is on (a basket: upper bound).
SELECT importer_iso3 AS importer, commodity, stage, year, supplier_rank,
       round(flow_stops_t) AS flow_stops_t_gross,
       basis, unit_basis, source, round(annual_at_risk_t) AS at_risk_t,
       round(rest_of_world_exports_t) AS others_exports_t_gross,
       round(exports_replacement_ratio, 1) AS others_exports_per_flow,
       round(months_covered_by_6m_stockpile, 1) AS months_6m_stockpile_covers,
       round(policy_target_months_covered, 1) AS months_jogmec_target_covers,
       product_label AS products, note
FROM marts.stockpile_cover
WHERE supplier_iso3 = 'CHN' AND importer_iso3 IN ('USA', 'JPN', 'USA_JPN')
  AND commodity IN ('rare_earths', 'graphite', 'gallium', 'germanium', 'antimony')
QUALIFY year = max(year) OVER (PARTITION BY importer_iso3, commodity, stage)
ORDER BY commodity, stage, importer_iso3;
