-- marts.importer_supply_risk: one row per (importer_iso3, commodity, stage, year): GeoPolRisk
-- as published (Gemechu et al. 2016; Santillan-Saldivar et al. 2021):
--   geopolrisk = production HHI (0-1) x sum over suppliers s of g_s x f_s / (F + p)
-- f_s: imports from s by quantity (BACI tonnes), F: all imports by quantity, p: the importer's
-- own production of the stage (same production series as the HHI); g_s = clamp((2.5 - WGI
-- political stability) / 5, 0, 1), or the method's default 0.5 where WGI has no score (flagged).
-- Blocs (EU27, USA_JPN, the partner group): trade between members counts in F at zero risk and
-- members' production is added to p. Production HHI: the same commodity and stage in the same
-- year, from the series staging.representative_series picks for that year (USGS for mining, IEA
-- for refining where it publishes it); years without one are left out. geopolrisk_value_basis keeps the earlier variant (value
-- shares, no domestic production, unscored suppliers at zero) for comparison.
WITH production AS (
    SELECT c.commodity, c.stage, c.year, c.hhi / 10000 AS production_hhi,
           c.source AS production_source
    FROM staging.representative_series r
    JOIN marts.supply_concentration c USING (source, commodity, stage, basis, year)
),
instability AS (
    SELECT iso3, year, least(1, greatest(0, (2.5 - estimate) / 5)) AS instability
    FROM staging.governance WHERE dimension = 'political_stability'
),
shares AS (
    SELECT b.importer_iso3, b.commodity, b.stage, b.year, b.exporter_iso3, b.quantity_t,
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
    SELECT mb.importer AS importer_iso3, p.commodity, p.stage, p.year, sum(c.amount) AS produced_t
    FROM production p
    JOIN marts.country_share c
      ON c.source = p.production_source AND c.commodity = p.commodity AND c.stage = p.stage
     AND c.year = p.year AND c.basis = 'production' AND NOT c.is_projection
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
        sum(s.import_share * i.instability) AS import_weighted_instability,
        coalesce(sum(s.import_share) FILTER (WHERE i.instability IS NULL), 0)
            AS import_share_without_wgi,
        sum(s.quantity_t) AS import_quantity_t,
        sum(s.quantity_t * coalesce(i.instability, 0.5)) AS risk_weighted_t,
        coalesce(sum(s.quantity_t) FILTER (WHERE i.instability IS NULL), 0) AS unscored_t
    FROM shares s
    JOIN production p USING (commodity, stage, year)
    LEFT JOIN instability i ON i.iso3 = s.exporter_iso3 AND i.year = s.year
    GROUP BY s.importer_iso3, s.commodity, s.stage, s.year, p.production_hhi, p.production_source
),
method AS (
    SELECT r.*, coalesce(d.produced_t, 0) AS domestic_production_t,
           coalesce(x.intra_t, 0) AS intra_bloc_import_t,
           r.risk_weighted_t / nullif(
               r.import_quantity_t + coalesce(x.intra_t, 0) + coalesce(d.produced_t, 0), 0)
               AS weighted_instability_method
    FROM risk r
    LEFT JOIN domestic d USING (importer_iso3, commodity, stage, year)
    LEFT JOIN intra x USING (importer_iso3, commodity, stage, year)
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
    unscored_t > 0 AS uses_default_instability
FROM method
ORDER BY importer_iso3, commodity, stage, year
