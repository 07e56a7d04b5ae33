-- Issue 9: comments for the columns added to existing tables, and the corrected description of
-- disruption_exposure.world_alternative_supply_ratio. Fold into those tables' .yml contracts when
-- the Contracts refactor lands. New tables are documented in their own sql/<schema>/<table>.yml.
COMMENT ON COLUMN staging.import_by_supplier.value_usd_with_quantity IS 'Part of value_usd whose flows report a quantity (BACI has none for some flows), USD.';
COMMENT ON COLUMN marts.import_dependence.top_supplier_iso3_quantity IS 'Largest supplier by quantity (tonnes), over flows that report one.';
COMMENT ON COLUMN marts.import_dependence.top_supplier_share_quantity IS 'Largest supplier''s share of import tonnes (0-1), the publishers'' basis (USGS import sources, Eurostat).';
COMMENT ON COLUMN marts.import_dependence.china_share_quantity IS 'China''s share of import tonnes (0-1), over flows that report a quantity; null when none does.';
COMMENT ON COLUMN marts.import_dependence.supplier_hhi_quantity IS 'Supplier HHI from shares of import tonnes (0-10,000).';
COMMENT ON COLUMN marts.import_dependence.value_share_with_quantity IS 'Share of import value whose flows report a quantity (0-1): how much of the value the quantity columns cover.';
COMMENT ON COLUMN marts.disruption_exposure.world_alternative_supply_ratio IS 'TRADE ratio, not capacity: all other suppliers'' exports of the HS codes / the supplier''s exports. A small exporter that refines most of the world''s output (China, rare-earth refining) shows a large ratio; read production_replacement_ratio for who could replace its output.';
COMMENT ON COLUMN marts.disruption_exposure.production_source IS 'Production series used for replacement: iea for refining where IEA publishes it, else usgs_mcs; null if none.';
COMMENT ON COLUMN marts.disruption_exposure.production_year IS 'Year of that production series: the trade year, or the newest before it.';
COMMENT ON COLUMN marts.disruption_exposure.supplier_production_t IS 'The supplier''s production of the stage in that series, tonnes (0 if not listed).';
COMMENT ON COLUMN marts.disruption_exposure.rest_of_world_production_t IS 'World production of the stage minus the supplier''s, tonnes: output that already has buyers, not spare capacity.';
COMMENT ON COLUMN marts.disruption_exposure.production_replacement_ratio IS 'rest_of_world_production_t / supplier_production_t: could the rest of the world replace the supplier''s output (rare-earth refining, China: about 0.1)?';
COMMENT ON COLUMN marts.disruption_exposure.rest_of_world_production_per_lost_t IS 'rest_of_world_production_t / quantity_at_risk_t (the importer''s lost tonnes; BACI gross weight vs production content, so a rough ratio).';
COMMENT ON COLUMN marts.importer_supply_risk.geopolrisk IS 'GeoPolRisk as published (Gemechu et al. 2016; Santillan-Saldivar et al. 2021): production HHI (0-1) x sum of instability x import tonnes / (import tonnes + domestic production); unscored suppliers at 0.5; blocs: intra-bloc trade at zero risk, members'' production added.';
COMMENT ON COLUMN marts.importer_supply_risk.geopolrisk_value_basis IS 'The earlier variant: production HHI x sum of value shares x instability, no domestic production, unscored suppliers at zero.';
COMMENT ON COLUMN marts.importer_supply_risk.import_quantity_t IS 'Imports by quantity from outside the importer (BACI tonnes, flows that report one).';
COMMENT ON COLUMN marts.importer_supply_risk.domestic_production_t IS 'The importer''s (or bloc members'') production of the stage in the HHI''s series, tonnes.';
COMMENT ON COLUMN marts.importer_supply_risk.intra_bloc_import_t IS 'For blocs: imports between members, tonnes, counted at zero risk; 0 for countries.';
COMMENT ON COLUMN marts.importer_supply_risk.weighted_instability_method IS 'sum of instability x import tonnes / (import tonnes + intra-bloc imports + domestic production), 0-1.';
COMMENT ON COLUMN marts.importer_supply_risk.import_quantity_share_at_default IS 'Share of import tonnes from suppliers WGI does not score, counted at the method''s default 0.5.';
COMMENT ON COLUMN marts.importer_supply_risk.uses_default_instability IS 'True when some supplier has no WGI score and the default 0.5 is used.';
