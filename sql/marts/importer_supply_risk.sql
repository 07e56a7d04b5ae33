-- marts.importer_supply_risk: one row per (importer_iso3, commodity, stage, year), in the spirit
-- of GeoPolRisk (Gemechu et al. 2016; Santillan-Saldivar et al. 2021):
--   geopolrisk = production HHI (0-1) x sum over suppliers of import share x political
--                instability, instability = clamp((2.5 - WGI political stability) / 5, 0, 1).
-- Production HHI: the same commodity and stage in the same year, from the series
-- staging.representative_series picks for that year; years without one are left out.
-- Import shares come from BACI (staging.import_by_supplier, EU27 = extra-EU imports).
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
    SELECT b.importer_iso3, b.commodity, b.stage, b.year, b.exporter_iso3,
           b.value_usd / sum(b.value_usd) OVER (
               PARTITION BY b.importer_iso3, b.commodity, b.stage, b.year) AS import_share
    FROM staging.import_by_supplier b
    WHERE b.value_usd > 0
)
SELECT
    s.importer_iso3, s.commodity, s.stage, s.year,
    p.production_hhi * sum(s.import_share * i.instability) AS geopolrisk,
    p.production_hhi,
    p.production_source,
    sum(s.import_share * i.instability) AS import_weighted_instability,
    coalesce(sum(s.import_share) FILTER (WHERE i.instability IS NULL), 0)
        AS import_share_without_wgi
FROM shares s
JOIN production p USING (commodity, stage, year)
LEFT JOIN instability i ON i.iso3 = s.exporter_iso3 AND i.year = s.year
GROUP BY s.importer_iso3, s.commodity, s.stage, s.year, p.production_hhi, p.production_source
ORDER BY s.importer_iso3, s.commodity, s.stage, s.year
