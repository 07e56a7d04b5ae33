-- Comments for the trade tables. pipelines/lib/catalog_docs.py applies each statement only when
-- its table exists in the warehouse. Format: one statement per line, ending with `;`.

-- staging.trade_flows
COMMENT ON TABLE staging.trade_flows IS 'Bilateral trade flows of mineral HS6 codes (CEPII BACI): one row per (year, hs6, exporter, importer); value in USD, quantity in tonnes.';
COMMENT ON COLUMN staging.trade_flows.source IS 'Trade source, e.g. baci.';
COMMENT ON COLUMN staging.trade_flows.nomenclature IS 'HS nomenclature of the codes, e.g. HS92.';
COMMENT ON COLUMN staging.trade_flows.year IS 'Calendar year of the flow.';
COMMENT ON COLUMN staging.trade_flows.hs6 IS 'Six-digit HS product code (string, leading zeros kept).';
COMMENT ON COLUMN staging.trade_flows.commodity IS 'Canonical commodity key the HS6 code maps to (staging.dim_hs_mineral).';
COMMENT ON COLUMN staging.trade_flows.stage IS 'Supply-chain stage the HS6 code maps to: mining | refining | manufacturing.';
COMMENT ON COLUMN staging.trade_flows.exclusivity IS 'exclusive (the code is only this commodity) or shared (a basket code mixing several, e.g. 811292).';
COMMENT ON COLUMN staging.trade_flows.exporter_iso3 IS 'Exporter ISO3 (TWN for Taiwan; historical BACI entities keep their own code).';
COMMENT ON COLUMN staging.trade_flows.importer_iso3 IS 'Importer ISO3 (TWN for Taiwan; historical BACI entities keep their own code).';
COMMENT ON COLUMN staging.trade_flows.value_usd IS 'Trade value in US dollars (BACI reconciled FOB value).';
COMMENT ON COLUMN staging.trade_flows.quantity_t IS 'Quantity in metric tonnes; null when BACI has none.';

-- staging.dim_hs_mineral
COMMENT ON TABLE staging.dim_hs_mineral IS 'Reviewed map from HS6 codes to (commodity, stage): one row per (nomenclature, hs6).';
COMMENT ON COLUMN staging.dim_hs_mineral.nomenclature IS 'HS nomenclature, e.g. HS92.';
COMMENT ON COLUMN staging.dim_hs_mineral.hs6 IS 'Six-digit HS product code.';
COMMENT ON COLUMN staging.dim_hs_mineral.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN staging.dim_hs_mineral.stage IS 'mining | refining | manufacturing | exclude (dropped from trade flows).';
COMMENT ON COLUMN staging.dim_hs_mineral.exclusivity IS 'exclusive or shared (basket code mixing several commodities).';
COMMENT ON COLUMN staging.dim_hs_mineral.note IS 'What the code covers, in words.';
COMMENT ON COLUMN staging.dim_hs_mineral.source IS 'Where the mapping and description come from.';

-- staging.eu_membership
COMMENT ON TABLE staging.eu_membership IS 'EU member states and their membership years, for extra-EU (EU27) import aggregates.';
COMMENT ON COLUMN staging.eu_membership.iso3 IS 'Member state ISO3.';
COMMENT ON COLUMN staging.eu_membership.joined IS 'Year the country counts as a member from (inclusive).';
COMMENT ON COLUMN staging.eu_membership.left IS 'Year the country stops counting as a member (member for years < left); null if still a member.';
COMMENT ON COLUMN staging.eu_membership.note IS 'Remarks (free text, may be empty).';

-- marts.import_dependence
COMMENT ON TABLE marts.import_dependence IS 'One row per (importer_iso3, commodity, stage, year) from CEPII BACI bilateral trade: how much an importer buys and how concentrated its suppliers are. Importers include every country plus EU27 (extra-EU imports only).';
COMMENT ON COLUMN marts.import_dependence.importer_iso3 IS 'Importer ISO3, or EU27 for extra-EU imports of the EU as constituted that year.';
COMMENT ON COLUMN marts.import_dependence.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN marts.import_dependence.stage IS 'Supply-chain stage of the traded goods: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.import_dependence.year IS 'Calendar year.';
COMMENT ON COLUMN marts.import_dependence.import_value_usd IS 'Total import value, US dollars.';
COMMENT ON COLUMN marts.import_dependence.import_quantity_t IS 'Total import quantity in metric tonnes (flows that report a quantity only).';
COMMENT ON COLUMN marts.import_dependence.n_suppliers IS 'Number of supplier countries with a positive import value.';
COMMENT ON COLUMN marts.import_dependence.top_supplier_iso3 IS 'ISO3 of the largest supplier by value.';
COMMENT ON COLUMN marts.import_dependence.top_supplier_share IS 'Largest supplier''s share of import value, 0-1.';
COMMENT ON COLUMN marts.import_dependence.china_share IS 'China''s share of import value, 0-1.';
COMMENT ON COLUMN marts.import_dependence.supplier_hhi IS 'HHI of supplier shares in percent, 0-10,000.';
COMMENT ON COLUMN marts.import_dependence.exceeds_eu_65pct_cap IS 'True when one supplier has more than 65% of import value (EU Critical Raw Materials Act benchmark).';
COMMENT ON COLUMN marts.import_dependence.includes_shared_codes IS 'True when a shared (basket) HS code contributed to the figures.';

-- staging.import_by_supplier
COMMENT ON TABLE staging.import_by_supplier IS 'One row per (importer_iso3, exporter_iso3, commodity, stage, year): what each importer buys from each supplier (CEPII BACI, all mapped HS6 codes of the stage summed). Importers include EU27 (extra-EU imports only).';
COMMENT ON COLUMN staging.import_by_supplier.importer_iso3 IS 'Importer ISO3, or EU27 for extra-EU imports of the EU as constituted that year.';
COMMENT ON COLUMN staging.import_by_supplier.exporter_iso3 IS 'Supplier (exporter) ISO3.';
COMMENT ON COLUMN staging.import_by_supplier.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN staging.import_by_supplier.stage IS 'Supply-chain stage of the traded goods: mining | refining | manufacturing.';
COMMENT ON COLUMN staging.import_by_supplier.year IS 'Calendar year.';
COMMENT ON COLUMN staging.import_by_supplier.value_usd IS 'Import value from this supplier, US dollars.';
COMMENT ON COLUMN staging.import_by_supplier.quantity_t IS 'Import quantity from this supplier in metric tonnes (flows that report a quantity only).';
COMMENT ON COLUMN staging.import_by_supplier.includes_shared_codes IS 'True when a shared (basket) HS code contributed.';

-- staging.partner_group
COMMENT ON TABLE staging.partner_group IS 'The partner group marts.disruption_exposure measures (seed data/seeds/partner_group.csv): one row per member.';
COMMENT ON COLUMN staging.partner_group.group_name IS 'Name of the partner group, e.g. allies.';
COMMENT ON COLUMN staging.partner_group.member_iso3 IS 'Member ISO3, or EU27 (counted through its member states of each year).';
COMMENT ON COLUMN staging.partner_group.note IS 'Remarks (free text, may be empty).';

-- staging.export_controls
COMMENT ON TABLE staging.export_controls IS 'Curated export-control measures on critical minerals (seed data/seeds/export_controls.csv): one row per measure.';
COMMENT ON COLUMN staging.export_controls.measure_id IS 'Measure key, e.g. CN-2023-23 (country, year, announcement number).';
COMMENT ON COLUMN staging.export_controls.country_iso3 IS 'ISO3 of the country imposing the measure.';
COMMENT ON COLUMN staging.export_controls.measure IS 'What the measure does, in words.';
COMMENT ON COLUMN staging.export_controls.commodities IS 'Commodity keys covered, separated by semicolons.';
COMMENT ON COLUMN staging.export_controls.hs6_announced IS 'HS6 codes named in the announcement (any HS edition), separated by semicolons.';
COMMENT ON COLUMN staging.export_controls.announced IS 'Date the measure was announced.';
COMMENT ON COLUMN staging.export_controls.effective IS 'Date the measure took or takes effect.';
COMMENT ON COLUMN staging.export_controls.status IS 'Current status, e.g. in_force, suspended, lifted.';
COMMENT ON COLUMN staging.export_controls.status_changed IS 'Date of the last status change (null if none).';
COMMENT ON COLUMN staging.export_controls.target_iso3 IS 'ISO3 of the country the measure targets; null when it applies to all destinations.';
COMMENT ON COLUMN staging.export_controls.source_document IS 'Official document announcing the measure.';
COMMENT ON COLUMN staging.export_controls.source_url IS 'Where the document was published.';
COMMENT ON COLUMN staging.export_controls.note IS 'Scope notes, including how the announced codes map to the HS92 trade data.';

-- staging.export_control_codes
COMMENT ON TABLE staging.export_control_codes IS 'HS92 six-digit codes present in the trade data that each export-control measure covers: one row per (measure_id, hs6).';
COMMENT ON COLUMN staging.export_control_codes.measure_id IS 'Measure key (staging.export_controls.measure_id).';
COMMENT ON COLUMN staging.export_control_codes.hs6 IS 'HS92 six-digit code covered by the measure.';

-- marts.disruption_exposure
COMMENT ON TABLE marts.disruption_exposure IS 'One row per (supplier_iso3, importer_iso3, commodity, stage, year): what the importer loses if one of the five largest exporters of that commodity-stage-year stops exporting (CEPII BACI). Only importers that buy from the supplier are listed.';
COMMENT ON COLUMN marts.disruption_exposure.supplier_iso3 IS 'ISO3 of the scenario supplier that stops exporting (one of the top five exporters).';
COMMENT ON COLUMN marts.disruption_exposure.importer_iso3 IS 'Importer ISO3, or EU27 for extra-EU imports.';
COMMENT ON COLUMN marts.disruption_exposure.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN marts.disruption_exposure.stage IS 'Supply-chain stage of the traded goods: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.disruption_exposure.year IS 'Calendar year.';
COMMENT ON COLUMN marts.disruption_exposure.value_at_risk_usd IS 'The importer''s imports from the supplier, US dollars.';
COMMENT ON COLUMN marts.disruption_exposure.share_at_risk IS 'value_at_risk_usd as a share of the importer''s imports of the commodity-stage, 0-1.';
COMMENT ON COLUMN marts.disruption_exposure.alternative_supply_ratio IS 'All other suppliers'' exports (to everyone) divided by the importer''s lost imports: > 1 means the rest of the world ships more than is lost (not that it is free to redirect it).';
COMMENT ON COLUMN marts.disruption_exposure.supplier_export_rank IS 'The supplier''s rank among world exporters of the commodity-stage-year, 1-5.';
COMMENT ON COLUMN marts.disruption_exposure.supplier_exports_usd IS 'The supplier''s exports to all importers, US dollars.';
COMMENT ON COLUMN marts.disruption_exposure.world_alternative_supply_ratio IS 'All other suppliers'' exports divided by the supplier''s total exports: can the rest of the world replace the supplier altogether (> 1)?';
COMMENT ON COLUMN marts.disruption_exposure.quantity_at_risk_t IS 'The importer''s imports from the supplier in metric tonnes (null when BACI has no quantity).';
COMMENT ON COLUMN marts.disruption_exposure.import_value_usd IS 'The importer''s total imports of the commodity-stage from all suppliers, US dollars.';
COMMENT ON COLUMN marts.disruption_exposure.partner_group_share IS 'Share of the importer''s imports from the partner group (staging.partner_group), 0-1.';
COMMENT ON COLUMN marts.disruption_exposure.partner_group IS 'Name of the partner group partner_group_share refers to.';

-- marts.export_control_exposure
COMMENT ON TABLE marts.export_control_exposure IS 'One row per (measure_id, importer_iso3, year), 1995-2024: the trade a curated export-control measure''s HS codes cover, before and after it. importer_iso3 WORLD sums all importers.';
COMMENT ON COLUMN marts.export_control_exposure.measure_id IS 'Measure key (staging.export_controls.measure_id).';
COMMENT ON COLUMN marts.export_control_exposure.importer_iso3 IS 'Importer ISO3, or WORLD for all importers together.';
COMMENT ON COLUMN marts.export_control_exposure.year IS 'Calendar year of the trade.';
COMMENT ON COLUMN marts.export_control_exposure.period IS 'before | effective_year | after: the year against the year of the effective date.';
COMMENT ON COLUMN marts.export_control_exposure.covered_value_usd IS 'The measure country''s exports of the covered codes to this importer (to the target country only where a measure targets one), US dollars.';
COMMENT ON COLUMN marts.export_control_exposure.total_value_usd IS 'All suppliers'' exports of the covered codes to this importer, US dollars.';
COMMENT ON COLUMN marts.export_control_exposure.covered_share IS 'covered_value_usd / total_value_usd, 0-1 (for WORLD: the measure country''s share of world exports of the codes).';
COMMENT ON COLUMN marts.export_control_exposure.includes_shared_codes IS 'True when a shared (basket) HS code contributed: the figures then overstate what the measure covers.';
COMMENT ON COLUMN marts.export_control_exposure.measure IS 'What the measure does, in words.';
COMMENT ON COLUMN marts.export_control_exposure.status IS 'Current status of the measure, e.g. in_force.';
COMMENT ON COLUMN marts.export_control_exposure.effective IS 'Date the measure took or takes effect.';

-- marts.importer_supply_risk
COMMENT ON TABLE marts.importer_supply_risk IS 'One row per (importer_iso3, commodity, stage, year), GeoPolRisk-style: production HHI (0-1) times the import-share-weighted political instability of the importer''s suppliers.';
COMMENT ON COLUMN marts.importer_supply_risk.importer_iso3 IS 'Importer ISO3, or EU27 for extra-EU imports.';
COMMENT ON COLUMN marts.importer_supply_risk.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN marts.importer_supply_risk.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.importer_supply_risk.year IS 'Calendar year.';
COMMENT ON COLUMN marts.importer_supply_risk.geopolrisk IS 'production_hhi x import_weighted_instability, 0-1 (higher = riskier).';
COMMENT ON COLUMN marts.importer_supply_risk.production_hhi IS 'HHI of world production of the commodity-stage on the 0-1 scale (hhi / 10,000).';
COMMENT ON COLUMN marts.importer_supply_risk.production_source IS 'Source of production_hhi: usgs_mcs for mining, iea for refining where IEA publishes it (else usgs_mcs).';
COMMENT ON COLUMN marts.importer_supply_risk.import_weighted_instability IS 'Sum over suppliers of import share times political instability, instability = clamp((2.5 - WGI political stability) / 5, 0, 1); 0-1.';
COMMENT ON COLUMN marts.importer_supply_risk.import_share_without_wgi IS 'Share of import value from suppliers without a WGI political-stability score, 0-1.';

-- staging.comtrade_flows
COMMENT ON TABLE staging.comtrade_flows IS 'UN Comtrade reporter declarations (imports of the United States and Japan in the bundled extract; what the live API returns otherwise), conformed: one row per declared flow. Used to check BACI against what importers declared.';
COMMENT ON COLUMN staging.comtrade_flows.source IS 'Always comtrade.';
COMMENT ON COLUMN staging.comtrade_flows.year IS 'Reference year of the declaration.';
COMMENT ON COLUMN staging.comtrade_flows.flow IS 'M (imports, CIF value) or X (exports, FOB value), as declared by the reporter.';
COMMENT ON COLUMN staging.comtrade_flows.reporter_code IS 'Comtrade numeric area code of the declaring country (842 USA, 392 Japan, 490 Taiwan, 699 India, 251 France).';
COMMENT ON COLUMN staging.comtrade_flows.reporter_iso3 IS 'ISO3 of the reporter.';
COMMENT ON COLUMN staging.comtrade_flows.partner_code IS 'Comtrade numeric area code of the partner; 0 World, 899 areas n.e.s., 837-839 bunkers and free zones are aggregates.';
COMMENT ON COLUMN staging.comtrade_flows.partner_iso3 IS 'ISO3 of the partner; null for aggregate partners (see is_aggregate_partner).';
COMMENT ON COLUMN staging.comtrade_flows.hs6 IS 'Six-digit HS code as declared (HS 2017/2022 in these declarations; compared with BACI HS92 only where the six digits coincide).';
COMMENT ON COLUMN staging.comtrade_flows.value_usd IS 'Declared value in US dollars (primaryValue).';
COMMENT ON COLUMN staging.comtrade_flows.quantity_t IS 'Net weight in tonnes (netWgt / 1000); null when not reported, or reported as 0 against a positive value.';
COMMENT ON COLUMN staging.comtrade_flows.is_aggregate_partner IS 'True when the partner is World, an area n.e.s., bunkers or a free zone rather than a country.';
