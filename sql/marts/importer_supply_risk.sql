-- marts.importer_supply_risk: one row per (importer_iso3, commodity, stage, year): GeoPolRisk
-- (Gemechu et al. 2016; Santillan-Saldivar et al. 2021; geopolrisk-py 2.0.1, core.GeoPolRisk):
--   geopolrisk = production HHI (0-1) x sum over suppliers s of g_s x f_s / (F + p)
-- f_s: imports from s by quantity (BACI tonnes), F: all imports by quantity, p: the importer's
-- own production in the HHI's series; g_s = (2.5 - WGI political stability of the year) / 5,
-- clamped to 0-1, or the method's default 0.5 where WGI has no score (flagged).
-- Production side (HHI and p, one series): the commodity's USGS MCS world production, every
-- year from the same publisher: the imports' own stage where USGS tabulates it, else (refining
-- imports) its mine production, the raw-material HHI the method and geopolrisk-py use. IEA's
-- tables are not used here: they start in 2023, and for rare earths they count magnet rare
-- earths only (Nd, Pr, Dy, Tb), not the scope of all rare-earth compounds. production_stage
-- and production_measure state the production side's scope on every row.
-- Blocs (EU27, USA_JPN, the partner group): trade between members counts in F at zero risk and
-- members' production is added to p. An importer USGS does not list produces nothing (p = 0);
-- geopolrisk is null, with geopolrisk_null_reason, where no import carries a quantity (BACI's
-- HS17 2022 extract has values only) or USGS lists the importer without a number (W, blank). geopolrisk_value_basis keeps the earlier variant (value
-- shares, no domestic production, unscored suppliers at zero) for comparison.
WITH usgs AS (
    SELECT commodity, stage, year, hhi / 10000 AS production_hhi, source AS production_source
    FROM marts.supply_concentration
    WHERE source = 'usgs_mcs' AND basis = 'production' AND NOT is_projection
),
series AS (  -- per (commodity, import stage): the one production stage used in every year
    SELECT i.commodity, i.stage,
           CASE WHEN i.stage IN (SELECT u.stage FROM usgs u WHERE u.commodity = i.commodity)
                    THEN i.stage
                WHEN i.stage = 'refining'
                 AND 'mining' IN (SELECT u.stage FROM usgs u WHERE u.commodity = i.commodity)
                    THEN 'mining'
           END AS production_stage
    FROM (SELECT DISTINCT commodity, stage FROM staging.import_by_supplier) i
),
production AS (
    SELECT s.commodity, s.stage, s.production_stage, u.year, u.production_hhi,
           u.production_source,
           (SELECT any_value(c.measure) FROM marts.country_share c
            WHERE c.source = u.production_source AND c.commodity = u.commodity
              AND c.stage = u.stage AND c.basis = 'production' AND c.year = u.year)
               AS production_measure
    FROM series s
    JOIN usgs u ON u.commodity = s.commodity AND u.stage = s.production_stage
),
instability AS (
    SELECT iso3, year, least(1, greatest(0, (2.5 - estimate) / 5)) AS instability
    FROM staging.governance WHERE dimension = 'political_stability'
),
shares AS (
    SELECT b.importer_iso3, b.commodity, b.stage, b.year, b.exporter_iso3, b.quantity_t,
           b.value_usd, b.value_usd_with_quantity,
           b.value_usd / sum(b.value_usd) OVER (
               PARTITION BY b.importer_iso3, b.commodity, b.stage, b.year) AS import_share
    FROM staging.import_by_supplier b
    WHERE b.value_usd > 0
),
members AS (  -- each importer's members: itself, or a bloc's member states that year
    SELECT DISTINCT importer_iso3 AS importer, importer_iso3 AS iso3, year
    FROM staging.import_by_supplier
    WHERE importer_iso3 NOT IN (SELECT bloc FROM staging.bloc_members)
    UNION ALL
    SELECT m.bloc, m.iso3, y.year
    FROM staging.bloc_members m
    JOIN (SELECT DISTINCT year FROM staging.import_by_supplier) y
      ON (m.joined IS NULL OR y.year >= m.joined) AND (m."left" IS NULL OR y.year < m."left")
),
domestic AS (  -- the importer's (or its members') production in the HHI's series
    SELECT mb.importer AS importer_iso3, p.commodity, p.stage, p.year,
           sum(c.amount) AS produced_t,
           string_agg(DISTINCT c.value_flag, ', ') FILTER (WHERE c.amount IS NULL)
               AS unpublished_flags
    FROM production p
    JOIN marts.country_share c
      ON c.source = p.production_source AND c.commodity = p.commodity
     AND c.stage = p.production_stage AND c.year = p.year AND c.basis = 'production'
     AND NOT c.is_projection
    JOIN members mb ON mb.iso3 = c.iso3 AND mb.year = c.year
    GROUP BY ALL
),
intra AS (  -- trade between a bloc's members: supply at zero risk
    SELECT m.bloc AS importer_iso3, b.commodity, b.stage, b.year, sum(b.quantity_t) AS intra_t
    FROM staging.import_by_supplier b
    JOIN staging.bloc_members m ON m.iso3 = b.importer_iso3
     AND (m.joined IS NULL OR b.year >= m.joined) AND (m."left" IS NULL OR b.year < m."left")
    JOIN staging.bloc_members x ON x.bloc = m.bloc AND x.iso3 = b.exporter_iso3
     AND (x.joined IS NULL OR b.year >= x.joined) AND (x."left" IS NULL OR b.year < x."left")
    GROUP BY ALL
),
risk AS (
    SELECT
        s.importer_iso3, s.commodity, s.stage, s.year, p.production_hhi, p.production_source,
        p.production_stage, p.production_measure,
        sum(s.import_share * i.instability) AS import_weighted_instability,
        coalesce(sum(s.import_share) FILTER (WHERE i.instability IS NULL), 0)
            AS import_share_without_wgi,
        sum(s.quantity_t) AS import_quantity_t,
        sum(s.quantity_t * coalesce(i.instability, 0.5)) AS risk_weighted_t,
        coalesce(sum(s.quantity_t) FILTER (WHERE i.instability IS NULL), 0) AS unscored_t,
        least(1, sum(s.value_usd_with_quantity) / sum(s.value_usd))
            AS import_value_share_with_quantity
    FROM shares s
    JOIN production p USING (commodity, stage, year)
    LEFT JOIN instability i ON i.iso3 = s.exporter_iso3 AND i.year = s.year
    GROUP BY ALL
),
method AS (
    SELECT r.*,
           -- not listed by USGS: no production (0); listed without a number: unknown (null)
           CASE WHEN d.unpublished_flags IS NULL THEN coalesce(d.produced_t, 0) END
               AS domestic_production_t,
           coalesce(x.intra_t, 0) AS intra_bloc_import_t,
           CASE WHEN coalesce(r.import_quantity_t, 0) + coalesce(x.intra_t, 0) = 0
                    THEN 'no import quantity: BACI gives these flows a value only (as it does '
                         || 'every flow of its HS17 2022 extract)'
                WHEN d.unpublished_flags IS NOT NULL
                    THEN 'domestic production not published by USGS (' || d.unpublished_flags
                         || ')'
           END AS geopolrisk_null_reason
    FROM risk r
    LEFT JOIN domestic d USING (importer_iso3, commodity, stage, year)
    LEFT JOIN intra x USING (importer_iso3, commodity, stage, year)
),
weighted AS (
    SELECT *,
           CASE WHEN geopolrisk_null_reason IS NULL THEN
               risk_weighted_t / nullif(
                   import_quantity_t + intra_bloc_import_t + domestic_production_t, 0)
           END AS weighted_instability_method
    FROM method
)
SELECT
    importer_iso3, commodity, stage, year,
    production_hhi * weighted_instability_method AS geopolrisk,
    production_hhi,
    production_source,
    import_weighted_instability,
    import_share_without_wgi,
    production_hhi * import_weighted_instability AS geopolrisk_value_basis,
    import_quantity_t,
    domestic_production_t,
    intra_bloc_import_t,
    weighted_instability_method,
    unscored_t / nullif(import_quantity_t, 0) AS import_quantity_share_at_default,
    unscored_t > 0 AS uses_default_instability,
    production_stage,
    production_measure,
    import_value_share_with_quantity,
    geopolrisk_null_reason
FROM weighted
ORDER BY importer_iso3, commodity, stage, year
