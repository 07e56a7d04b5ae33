-- `minerals brief`, "What the controls did": China's export-control measures on the commodity
-- (curated seed data/seeds/export_controls.csv, each with its official document), in the order
-- they took effect.
SELECT measure_id, measure, kind, announced, effective, status, status_changed, target_iso3,
       array_to_string(hs6_announced, ', ') AS hs6_announced, source_document, source_url
FROM staging.export_controls
WHERE list_contains(commodities, $commodity)
ORDER BY effective, measure_id
