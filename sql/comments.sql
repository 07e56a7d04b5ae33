-- Table and column comments for the staging, marts and meta schemas (pipelines/lib/catalog_docs.py
-- applies them to the build just before publish; the README data dictionary is generated from them).
-- Format: one statement per line, each ending with `;`. Lines starting with `--` are ignored.
-- Conventions: shares are fractions 0-1; HHI is on the 0-10,000 scale; amounts are in `unit` (tonnes unless stated).

-- staging.dim_country
COMMENT ON TABLE staging.dim_country IS 'Reference list of countries and territories (ISO 3166), one row per iso3; Taiwan is TWN in every source.';
COMMENT ON COLUMN staging.dim_country.iso3 IS 'ISO 3166-1 alpha-3 code (primary key), e.g. CHN, USA, TWN.';
COMMENT ON COLUMN staging.dim_country.iso2 IS 'ISO 3166-1 alpha-2 code.';
COMMENT ON COLUMN staging.dim_country.iso_numeric IS 'ISO 3166-1 numeric code (as used by UN Comtrade and BACI, e.g. 156 = China).';
COMMENT ON COLUMN staging.dim_country.name IS 'Short English name used in reports.';
COMMENT ON COLUMN staging.dim_country.official_name IS 'Official English name.';
COMMENT ON COLUMN staging.dim_country.un_short_name IS 'UN M49 short name (null where the UN lists none).';
COMMENT ON COLUMN staging.dim_country.region IS 'UN M49 region, e.g. Asia, Africa, Americas.';
COMMENT ON COLUMN staging.dim_country.sub_region IS 'UN M49 sub-region, e.g. Eastern Asia.';

-- staging.country_alias
COMMENT ON TABLE staging.country_alias IS 'Crosswalk from the country names printed by USGS and IEA to ISO3: one row per alias.';
COMMENT ON COLUMN staging.country_alias.alias IS 'Country name as a source prints it, e.g. "Congo (Kinshasa)", "Burma".';
COMMENT ON COLUMN staging.country_alias.iso3 IS 'ISO3 code the alias maps to (staging.dim_country.iso3).';
COMMENT ON COLUMN staging.country_alias.note IS 'Why the alias maps where it does (free text, may be empty).';

-- staging.production
COMMENT ON TABLE staging.production IS 'Mine, refinery and manufacturing output by country, commodity, stage and year from USGS Mineral Commodity Summaries and the IEA Critical Minerals Data Explorer, every edition kept; one row per source row. Aggregate rows (world total, other countries) are kept with `aggregate` set and iso3 null.';
COMMENT ON COLUMN staging.production.source IS 'Data source: usgs_mcs (USGS Mineral Commodity Summaries) or iea (IEA Critical Minerals Data Explorer).';
COMMENT ON COLUMN staging.production.edition IS 'Edition of the source the row comes from, e.g. MCS2026, IEA CMDE 2025.';
COMMENT ON COLUMN staging.production.commodity IS 'Canonical commodity key, lower snake case (rare_earths, lithium, cobalt, graphite, ...).';
COMMENT ON COLUMN staging.production.stage IS 'Supply-chain stage: mining (ore, concentrate, mine output) | refining (refined metal, chemicals, smelter/refinery output) | manufacturing (where the source has it).';
COMMENT ON COLUMN staging.production.measure IS 'What the source measures, as it words it (e.g. mine production, contained lithium; refinery production).';
COMMENT ON COLUMN staging.production.year IS 'Calendar year the amount refers to.';
COMMENT ON COLUMN staging.production.is_estimate IS 'True when the source marks the figure as an estimate (USGS "e", latest-year estimates).';
COMMENT ON COLUMN staging.production.is_projection IS 'True for IEA projections (e.g. 2030, 2035, 2040): not observed data.';
COMMENT ON COLUMN staging.production.iso3 IS 'ISO3 country code; null for aggregate rows (see aggregate).';
COMMENT ON COLUMN staging.production.country IS 'Country or aggregate name as printed by the source.';
COMMENT ON COLUMN staging.production.aggregate IS 'Null for a country row, otherwise the aggregate kind: world_total (the published world total) | other_countries (USGS "Other countries") | rest_of_world (IEA "Rest of world") | combined_countries (several countries reported together) | stock_release (release from government stocks, not production).';
COMMENT ON COLUMN staging.production.amount IS 'Amount in `unit` (tonnes for almost every series, see unit); null unless value_flag is reported, estimated or none (none = a reported zero, amount 0).';
COMMENT ON COLUMN staging.production.unit IS 'Unit of amount: t (metric tonnes; IEA kilotonnes converted to tonnes), carat (diamonds), m3 (helium, cubic metres).';
COMMENT ON COLUMN staging.production.value_flag IS 'How the source gave the value: reported | estimated | none (a reported zero: em dash or --) | withheld (W, withheld to avoid disclosing company data) | not_available (NA) | not_applicable (XX) | net_exporter (E) | greater_than / less_than (bounds such as >50 or <1: amount null) | range (e.g. 330-390: amount null) | included_elsewhere (counted under another series) | missing (empty cell). Never silently zero.';
COMMENT ON COLUMN staging.production.value_raw IS 'The cell exactly as the source printed it (e.g. 600, W, e3,900, 10,000 - 15,000).';
COMMENT ON COLUMN staging.production.source_file IS 'Name of the source file the row was read from.';
COMMENT ON COLUMN staging.production.source_row IS 'Row number in the source file (for tracing a figure back to its source).';
COMMENT ON COLUMN staging.production.is_latest_edition IS 'True for rows of the newest edition that covers this (source, commodity, stage, year): staging.supply_by_country and the marts use only these.';

-- staging.supply_by_country
COMMENT ON TABLE staging.supply_by_country IS 'Every supplier row the share marts measure, in one shape: basis production (newest edition of each USGS/IEA series, with its aggregate rows) and basis export_value / export_quantity (CEPII BACI exports by exporter, all importers summed; no aggregate rows).';
COMMENT ON COLUMN staging.supply_by_country.source IS 'Data source: usgs_mcs (USGS Mineral Commodity Summaries), iea (IEA Critical Minerals Data Explorer) or baci (CEPII BACI trade).';
COMMENT ON COLUMN staging.supply_by_country.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN staging.supply_by_country.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN staging.supply_by_country.basis IS 'What amount measures: production (USGS, IEA) | export_value (BACI, USD) | export_quantity (BACI, tonnes).';
COMMENT ON COLUMN staging.supply_by_country.year IS 'Calendar year.';
COMMENT ON COLUMN staging.supply_by_country.edition IS 'Source edition, e.g. MCS2026, IEA CMDE 2025, BACI HS92.';
COMMENT ON COLUMN staging.supply_by_country.is_estimate IS 'True when the source marks the figure as an estimate (always false for trade).';
COMMENT ON COLUMN staging.supply_by_country.is_projection IS 'True for IEA projection years (not observed).';
COMMENT ON COLUMN staging.supply_by_country.iso3 IS 'ISO3 of the producing or exporting country; null for aggregate rows.';
COMMENT ON COLUMN staging.supply_by_country.country IS 'Country or aggregate name as printed by the source (the ISO3 code for trade).';
COMMENT ON COLUMN staging.supply_by_country.aggregate IS 'Null for a country row, otherwise world_total | other_countries | rest_of_world | combined_countries | stock_release (see staging.production.aggregate).';
COMMENT ON COLUMN staging.supply_by_country.amount IS 'Amount in unit: tonnes (t) for production and export_quantity, US dollars for export_value; null when withheld, not available or a bound (see value_flag).';
COMMENT ON COLUMN staging.supply_by_country.unit IS 'Unit of amount: t (metric tonnes), USD, carat or m3.';
COMMENT ON COLUMN staging.supply_by_country.value_flag IS 'reported | estimated | none (a reported zero) | withheld (W) | not_available (NA) | not_applicable (XX) | net_exporter (E) | greater_than / less_than (bounds, amount null) | range (amount null) | included_elsewhere | missing; always reported for trade.';
COMMENT ON COLUMN staging.supply_by_country.measure IS 'What the source measures, as it words it (trade: exports and the HS6 codes summed).';

-- staging.supply_series
COMMENT ON TABLE staging.supply_series IS 'One row per (source, commodity, stage, basis, year) series, with the world total every share is measured against.';
COMMENT ON COLUMN staging.supply_series.source IS 'Data source: usgs_mcs, iea or baci.';
COMMENT ON COLUMN staging.supply_series.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN staging.supply_series.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN staging.supply_series.basis IS 'What the totals measure: production | export_value | export_quantity.';
COMMENT ON COLUMN staging.supply_series.year IS 'Calendar year.';
COMMENT ON COLUMN staging.supply_series.edition IS 'Newest edition covering the series-year (the one marts use).';
COMMENT ON COLUMN staging.supply_series.unit IS 'Unit of the totals: t (metric tonnes), USD, carat or m3.';
COMMENT ON COLUMN staging.supply_series.is_projection IS 'True for IEA projection years.';
COMMENT ON COLUMN staging.supply_series.published_world_total IS 'World total as the source publishes it (USGS "World total (rounded)", IEA "Total"), in unit; null if none is published (always for trade).';
COMMENT ON COLUMN staging.supply_series.rows_total IS 'Sum of all non-world-total rows (countries plus other_countries/rest_of_world/combined_countries/stock_release), in unit.';
COMMENT ON COLUMN staging.supply_series.world_total IS 'Denominator of every share, in unit: IEA its own total; USGS the larger of the published (rounded) total and rows_total so that shares never exceed 1; trade the sum of all exporters.';
COMMENT ON COLUMN staging.supply_series.unallocated_amount IS 'Amount held by other_countries, rest_of_world and combined_countries rows (not attributable to one country), in unit; 0 if none.';

-- staging.iea_published_top3
COMMENT ON TABLE staging.iea_published_top3 IS 'IEA''s own published top-3 producer share per commodity, stage and year: used by a blocking check that our top3_share reproduces it.';
COMMENT ON COLUMN staging.iea_published_top3.edition IS 'IEA edition, e.g. IEA CMDE 2024.';
COMMENT ON COLUMN staging.iea_published_top3.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN staging.iea_published_top3.stage IS 'mining | refining.';
COMMENT ON COLUMN staging.iea_published_top3.year IS 'Year (base year or projection year).';
COMMENT ON COLUMN staging.iea_published_top3.published_top3_share IS 'Share of the top three producing countries as IEA publishes it, 0-1.';
COMMENT ON COLUMN staging.iea_published_top3.source_file IS 'IEA file the figure was read from.';
COMMENT ON COLUMN staging.iea_published_top3.source_row IS 'Row number in the source file.';

-- staging.governance
COMMENT ON TABLE staging.governance IS 'World Bank Worldwide Governance Indicators: one row per (iso3, year, dimension); the last published year is carried forward (flagged) to the latest production year.';
COMMENT ON COLUMN staging.governance.iso3 IS 'ISO3 country code.';
COMMENT ON COLUMN staging.governance.year IS 'Year the score is used for (may be later than source_year when carried forward).';
COMMENT ON COLUMN staging.governance.dimension IS 'WGI dimension: voice_and_accountability | political_stability | government_effectiveness | regulatory_quality | rule_of_law | control_of_corruption.';
COMMENT ON COLUMN staging.governance.estimate IS 'WGI estimate, about -2.5 (worst) to +2.5 (best).';
COMMENT ON COLUMN staging.governance.percentile_rank IS 'Percentile rank among all countries, 0 (lowest) to 100 (highest).';
COMMENT ON COLUMN staging.governance.is_carried_forward IS 'True when the value is the last published year''s score repeated for a later year.';
COMMENT ON COLUMN staging.governance.source_year IS 'WGI year the estimate actually comes from.';
COMMENT ON COLUMN staging.governance.source IS 'Where the estimates were read from: wgi_2023_update (the bundled bulk file) or worldbank_api (live).';

-- marts.country_share
COMMENT ON TABLE marts.country_share IS 'One row per (source, commodity, stage, basis, year, iso3): each country''s amount and share of the world total, newest edition only. Withheld or missing amounts stay with a null share and rank.';
COMMENT ON COLUMN marts.country_share.source IS 'Data source: usgs_mcs (USGS), iea (IEA) or baci (CEPII BACI trade).';
COMMENT ON COLUMN marts.country_share.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN marts.country_share.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.country_share.basis IS 'What the share measures: production (USGS, IEA output) | export_value (BACI exports, USD) | export_quantity (BACI exports, tonnes).';
COMMENT ON COLUMN marts.country_share.year IS 'Calendar year.';
COMMENT ON COLUMN marts.country_share.is_estimate IS 'True when the source marks the figure as an estimate.';
COMMENT ON COLUMN marts.country_share.is_projection IS 'True for IEA projection years (not observed).';
COMMENT ON COLUMN marts.country_share.iso3 IS 'ISO3 country code.';
COMMENT ON COLUMN marts.country_share.country IS 'Country name (staging.dim_country.name, else as printed by the source).';
COMMENT ON COLUMN marts.country_share.amount IS 'Country output or exports in unit (tonnes for production and export_quantity, US dollars for export_value); null when withheld, not available or a bound (see value_flag).';
COMMENT ON COLUMN marts.country_share.unit IS 'Unit of amount: t (metric tonnes), USD, carat or m3.';
COMMENT ON COLUMN marts.country_share.share IS 'Share of the world total (staging.supply_series.world_total), 0-1; null when amount is null.';
COMMENT ON COLUMN marts.country_share.rank IS 'Rank by amount within (source, commodity, stage, basis, year), 1 = largest; null when amount is null.';
COMMENT ON COLUMN marts.country_share.value_flag IS 'How the source gave the value: reported | estimated | none (a reported zero) | withheld (W) | not_available (NA) | not_applicable (XX) | net_exporter (E) | greater_than / less_than (bounds, amount null) | range (amount null) | included_elsewhere | missing.';
COMMENT ON COLUMN marts.country_share.edition IS 'Source edition the figure comes from (the newest covering the year).';
COMMENT ON COLUMN marts.country_share.measure IS 'What the source measures, as it words it.';

-- marts.supply_concentration
COMMENT ON TABLE marts.supply_concentration IS 'One row per (source, commodity, stage, basis, year): how concentrated supply (production, or exports for BACI) is: HHI 0-10,000, top-1/top-3 shares, China''s share; newest edition only.';
COMMENT ON COLUMN marts.supply_concentration.source IS 'Data source: usgs_mcs (USGS), iea (IEA) or baci (CEPII BACI trade).';
COMMENT ON COLUMN marts.supply_concentration.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN marts.supply_concentration.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.supply_concentration.basis IS 'What the shares measure: production | export_value (BACI exports by exporter, USD) | export_quantity (tonnes).';
COMMENT ON COLUMN marts.supply_concentration.year IS 'Calendar year.';
COMMENT ON COLUMN marts.supply_concentration.is_estimate IS 'True when any country figure of the year is an estimate (never for trade).';
COMMENT ON COLUMN marts.supply_concentration.is_projection IS 'True for IEA projection years (not observed).';
COMMENT ON COLUMN marts.supply_concentration.world_total IS 'World total in unit (tonnes for production and export_quantity, US dollars for export_value): the denominator of the shares.';
COMMENT ON COLUMN marts.supply_concentration.unit IS 'Unit of world_total: t (metric tonnes), USD, carat or m3.';
COMMENT ON COLUMN marts.supply_concentration.n_countries IS 'Number of countries (producers or exporters) with a positive amount.';
COMMENT ON COLUMN marts.supply_concentration.top1_iso3 IS 'ISO3 of the largest producer.';
COMMENT ON COLUMN marts.supply_concentration.top1_share IS 'Largest producer''s share of the world total, 0-1.';
COMMENT ON COLUMN marts.supply_concentration.top3_share IS 'Combined share of the three largest producers, 0-1.';
COMMENT ON COLUMN marts.supply_concentration.hhi IS 'Herfindahl-Hirschman index, 0-10,000: sum of squared country shares in percent (aggregate rows excluded).';
COMMENT ON COLUMN marts.supply_concentration.effective_suppliers IS 'Equivalent number of equal-sized suppliers, 10,000 / hhi.';
COMMENT ON COLUMN marts.supply_concentration.china_share IS 'China''s share of the world total, 0-1 (0 when China is not listed: see china_listed).';
COMMENT ON COLUMN marts.supply_concentration.concentration_band IS 'US 2010 Horizontal Merger Guidelines band: unconcentrated (hhi < 1,500) | moderately concentrated (1,500-2,500) | highly concentrated (> 2,500).';
COMMENT ON COLUMN marts.supply_concentration.unallocated_share IS 'Share of the world total held by aggregate rows (other_countries, rest_of_world, combined_countries), 0-1: what the HHI cannot see.';
COMMENT ON COLUMN marts.supply_concentration.china_listed IS 'True when the source lists China as a producer in this series-year (else China may hide in "Other countries").';
COMMENT ON COLUMN marts.supply_concentration.country_share_total IS 'Sum of the country shares, 0-1 (1 - unallocated_share when nothing is withheld).';
COMMENT ON COLUMN marts.supply_concentration.published_world_total IS 'World total as the source publishes it, in unit (may be rounded; null if not published).';
COMMENT ON COLUMN marts.supply_concentration.edition IS 'Source edition the figures come from.';

-- marts.concentration_trend
COMMENT ON TABLE marts.concentration_trend IS 'One row per (source, commodity, stage, basis, year): change of HHI, China''s share and the top-3 share since the previous year the series has.';
COMMENT ON COLUMN marts.concentration_trend.source IS 'Data source: usgs_mcs, iea or baci.';
COMMENT ON COLUMN marts.concentration_trend.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN marts.concentration_trend.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.concentration_trend.basis IS 'What the shares measure: production | export_value | export_quantity.';
COMMENT ON COLUMN marts.concentration_trend.year IS 'Calendar year.';
COMMENT ON COLUMN marts.concentration_trend.is_projection IS 'True for IEA projection years (not observed).';
COMMENT ON COLUMN marts.concentration_trend.previous_year IS 'The series'' previous year (IEA jumps from its base year to 2030); null for the first year.';
COMMENT ON COLUMN marts.concentration_trend.hhi IS 'HHI this year, 0-10,000.';
COMMENT ON COLUMN marts.concentration_trend.hhi_change IS 'hhi minus the previous year''s hhi, HHI points.';
COMMENT ON COLUMN marts.concentration_trend.china_share IS 'China''s share this year, 0-1.';
COMMENT ON COLUMN marts.concentration_trend.china_share_change IS 'Change of china_share since previous_year, in share units (0.05 = 5 points); null unless China is listed in both years.';
COMMENT ON COLUMN marts.concentration_trend.top3_share IS 'Top-3 producers'' share this year, 0-1.';
COMMENT ON COLUMN marts.concentration_trend.top3_share_change IS 'Change of top3_share since previous_year, in share units.';
COMMENT ON COLUMN marts.concentration_trend.concentration_band IS 'unconcentrated | moderately concentrated | highly concentrated (HHI bands, US 2010 merger guidelines).';
COMMENT ON COLUMN marts.concentration_trend.previous_band IS 'concentration_band of previous_year.';

-- marts.supply_risk
COMMENT ON TABLE marts.supply_risk IS 'One row per (source, commodity, stage, basis, year), projections excluded: HHI weighted by governance risk (EU JRC criticality method) and its inputs.';
COMMENT ON COLUMN marts.supply_risk.source IS 'Data source: usgs_mcs, iea or baci.';
COMMENT ON COLUMN marts.supply_risk.commodity IS 'Canonical commodity key, lower snake case.';
COMMENT ON COLUMN marts.supply_risk.stage IS 'Supply-chain stage: mining | refining | manufacturing.';
COMMENT ON COLUMN marts.supply_risk.basis IS 'What the shares measure: production | export_value | export_quantity.';
COMMENT ON COLUMN marts.supply_risk.year IS 'Calendar year.';
COMMENT ON COLUMN marts.supply_risk.hhi_wgi IS 'Sum over countries of share squared (0-1) times WGI governance risk (0-10, 10 worst); 0-10.';
COMMENT ON COLUMN marts.supply_risk.hhi_fraction IS 'HHI on the 0-1 scale (sum of squared shares); hhi / 10,000.';
COMMENT ON COLUMN marts.supply_risk.share_weighted_wgi_risk IS 'Share-weighted mean governance risk of the suppliers with a WGI score, 0-10 (10 worst).';
COMMENT ON COLUMN marts.supply_risk.share_without_wgi IS 'Share of world supply from countries without a WGI score, 0-1.';
COMMENT ON COLUMN marts.supply_risk.uses_carried_forward_wgi IS 'True when a carried-forward WGI year was used for any supplier.';
COMMENT ON COLUMN marts.supply_risk.n_countries IS 'Number of countries with a positive share.';
COMMENT ON COLUMN marts.supply_risk.largest_contributor_iso3 IS 'ISO3 of the country contributing most to hhi_wgi.';

-- marts.alerts
COMMENT ON TABLE marts.alerts IS 'History of alerts, appended once when first seen (re-running adds no duplicates): a series turning highly concentrated, China''s share up 5 points or more, a new breach of the EU 65% cap. Projections never alert.';
COMMENT ON COLUMN marts.alerts.alert_key IS 'Unique key: kind|source|commodity|stage|basis|year (plus importer for trade alerts).';
COMMENT ON COLUMN marts.alerts.kind IS 'Alert kind: became_highly_concentrated | china_share_up_5pts | new_eu_65pct_breach (EU27 imports).';
COMMENT ON COLUMN marts.alerts.source IS 'Data source of the series: usgs_mcs, iea or a trade source.';
COMMENT ON COLUMN marts.alerts.commodity IS 'Canonical commodity key.';
COMMENT ON COLUMN marts.alerts.stage IS 'Supply-chain stage.';
COMMENT ON COLUMN marts.alerts.basis IS 'What the share measures: production, import_value, ...';
COMMENT ON COLUMN marts.alerts.year IS 'Year the alert refers to.';
COMMENT ON COLUMN marts.alerts.importer_iso3 IS 'Importer ISO3 (or EU27) for trade alerts; null for production alerts.';
COMMENT ON COLUMN marts.alerts.previous_value IS 'Value in the previous year of the series (HHI 0-10,000 or share 0-1, per kind).';
COMMENT ON COLUMN marts.alerts.value IS 'Value this year (HHI 0-10,000 or share 0-1, per kind).';
COMMENT ON COLUMN marts.alerts.message IS 'Plain-language description of the alert.';
COMMENT ON COLUMN marts.alerts.first_seen_at IS 'When a refresh first recorded the alert (UTC timestamp).';
COMMENT ON COLUMN marts.alerts.first_seen_run_id IS 'Dagster run id of the refresh that first recorded the alert.';

-- meta.refresh
COMMENT ON TABLE meta.refresh IS 'One row describing the refresh that produced this warehouse.';
COMMENT ON COLUMN meta.refresh.refreshed_at IS 'When the warehouse was published (UTC timestamp).';
COMMENT ON COLUMN meta.refresh.run_id IS 'Dagster run id of the refresh.';
COMMENT ON COLUMN meta.refresh.source_mode IS 'snapshot (bundled files) or live (downloaded sources).';

-- meta.check_results
COMMENT ON TABLE meta.check_results IS 'Every data-quality check evaluated in the refresh that produced this warehouse.';
COMMENT ON COLUMN meta.check_results.asset IS 'Table the check guards, schema.table.';
COMMENT ON COLUMN meta.check_results.check_name IS 'Check name (e.g. gx_suite, hhi_in_range).';
COMMENT ON COLUMN meta.check_results.passed IS 'True when the check passed.';
COMMENT ON COLUMN meta.check_results.severity IS 'ERROR (blocking: a failure stops the publish) or WARN.';
COMMENT ON COLUMN meta.check_results.description IS 'What the check found, in words.';

-- meta.source_files
COMMENT ON TABLE meta.source_files IS 'Every source file the raw layer read in the refresh, with its hash and editions.';
COMMENT ON COLUMN meta.source_files.source IS 'Source: usgs_mcs, iea, ...';
COMMENT ON COLUMN meta.source_files.source_file IS 'File name as landed.';
COMMENT ON COLUMN meta.source_files.sha256 IS 'SHA-256 of the file bytes.';
COMMENT ON COLUMN meta.source_files.fetched_at IS 'When the file was fetched or read (UTC timestamp).';
COMMENT ON COLUMN meta.source_files.mode IS 'snapshot or live.';
COMMENT ON COLUMN meta.source_files.editions IS 'Source editions found in the file, comma separated.';
COMMENT ON COLUMN meta.source_files.raw_rows IS 'Rows the raw layer read from the file.';
