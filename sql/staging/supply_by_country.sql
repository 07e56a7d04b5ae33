-- staging.supply_by_country: every producer row the production share marts measure, in one
-- shape: the newest edition of each USGS/IEA series (staging.production), with its aggregate
-- rows ("World total", "Other countries", "Rest of world") and the series' scope (unit basis and
-- product words, staging.dim_production_scope). Exports are not production: they are measured in
-- marts.export_share and marts.export_concentration.
SELECT
    p.source, p.commodity, p.stage, 'production' AS basis, p.year, p.edition, p.is_estimate,
    p.is_projection, p.iso3, p.country, p.aggregate, p.amount, p.unit, p.value_flag, p.measure,
    s.unit_basis, s.product
FROM staging.production AS p
LEFT JOIN staging.dim_production_scope AS s USING (source, commodity, stage)
WHERE p.is_latest_edition
