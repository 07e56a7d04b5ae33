-- staging.supply_by_country: every supplier row the share marts measure, in one shape.
-- basis 'production': the newest edition of each USGS/IEA series (staging.production), with its
-- aggregate rows ("World total", "Other countries", "Rest of world").
-- basis 'export_value' / 'export_quantity': BACI exports by exporter, all importers summed
-- (value in USD; quantity in t, only the flows that report one). Trade has no aggregate rows.
SELECT
    source, commodity, stage, 'production' AS basis, year, edition, is_estimate, is_projection,
    iso3, country, aggregate, amount, unit, value_flag, measure
FROM staging.production
WHERE is_latest_edition
UNION ALL
SELECT
    'baci', commodity, stage, b.basis, year, 'BACI ' || any_value(nomenclature), false, false,
    exporter_iso3, exporter_iso3, NULL,
    CASE b.basis WHEN 'export_value' THEN sum(value_usd) ELSE sum(quantity_t) END,
    CASE b.basis WHEN 'export_value' THEN 'USD' ELSE 't' END,
    'reported',
    'exports, ' || string_agg(DISTINCT hs6, ' ' ORDER BY hs6)
FROM staging.trade_flows
CROSS JOIN (VALUES ('export_value'), ('export_quantity')) AS b(basis)
GROUP BY commodity, stage, b.basis, year, exporter_iso3
HAVING CASE b.basis WHEN 'export_value' THEN sum(value_usd) ELSE sum(quantity_t) END > 0
