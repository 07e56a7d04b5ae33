-- Look-through origin of refined imports: one row per (importer, commodity, year, origin).
-- Direct: each exporter's share of the importer's refining-stage imports (tonnes, BACI).
-- Look-through: each exporter's supply attributed to the origins of its feed in proportion to
-- them: its own output at the feed stage (USGS) and its imports of feed by origin (BACI). This
-- is the proportionality assumption of multi-regional input-output analysis (Leontief; Lenzen et
-- al. 2012; used on bilateral trade by Kastner et al. 2011, Ecological Economics 70(6)), one
-- level deep. Feed: the commodity's mining stage where USGS publishes mine output (rare earths,
-- antimony, tungsten, cobalt, nickel, lithium); its refining stage where there is no mine
-- (gallium, germanium: by-products). Feed imports: the commodity's mining-stage HS codes where
-- some are mapped, else its refining-stage codes (intermediates such as mixed rare-earth
-- carbonate travel under HS 2846). An exporter with neither output nor feed imports stays its
-- own origin (feed_known false).
WITH importers(importer_iso3) AS (VALUES ('USA'), ('JPN'), ('EU27'), ('USA_JPN')),
refined AS (
    SELECT i.importer_iso3, i.exporter_iso3, i.commodity, i.year, i.quantity_t,
           i.includes_shared_codes
    FROM staging.import_by_supplier i
    JOIN importers USING (importer_iso3)
    WHERE i.stage = 'refining' AND i.quantity_t > 0
),
feed_stage AS (  -- where each commodity's feed is counted
    SELECT commodity,
           CASE WHEN bool_or(stage = 'mining' AND source = 'usgs_mcs') THEN 'mining'
                ELSE 'refining' END AS own_stage
    FROM marts.country_share
    WHERE basis = 'production' AND NOT is_projection
      AND commodity IN (SELECT DISTINCT commodity FROM refined)
    GROUP BY commodity
),
import_stage AS (
    SELECT f.commodity,
           CASE WHEN EXISTS (SELECT 1 FROM staging.dim_hs_mineral h
                             WHERE h.commodity = f.commodity AND h.stage = 'mining')
                THEN 'mining' ELSE 'refining' END AS feed_import_stage
    FROM feed_stage f
),
own AS (  -- exporters' own output at the feed stage (USGS, content basis)
    SELECT c.commodity, c.year, c.iso3 AS exporter_iso3, c.amount AS own_t, c.unit
    FROM marts.country_share c
    JOIN feed_stage f ON f.commodity = c.commodity AND f.own_stage = c.stage
    WHERE c.basis = 'production' AND c.source = 'usgs_mcs' AND NOT c.is_projection
      AND c.amount > 0
),
feed_imports AS (  -- exporters' imports of feed by origin (BACI, gross weight)
    SELECT i.commodity, i.year, i.importer_iso3 AS exporter_iso3, i.exporter_iso3 AS origin_iso3,
           i.quantity_t
    FROM staging.import_by_supplier i
    JOIN import_stage s ON s.commodity = i.commodity AND s.feed_import_stage = i.stage
    WHERE i.quantity_t > 0
      AND i.importer_iso3 IN (SELECT DISTINCT exporter_iso3 FROM refined)
),
feed AS (
    SELECT commodity, year, exporter_iso3, exporter_iso3 AS origin_iso3, own_t AS feed_t,
           true AS is_own
    FROM own
    UNION ALL
    SELECT commodity, year, exporter_iso3, origin_iso3, quantity_t, false
    FROM feed_imports
),
feed_shares AS (
    SELECT commodity, year, exporter_iso3, origin_iso3,
           sum(feed_t) / sum(sum(feed_t)) OVER (PARTITION BY commodity, year, exporter_iso3)
               AS feed_share,
           sum(feed_t) FILTER (WHERE is_own) AS own_t,
           sum(feed_t) FILTER (WHERE NOT is_own) AS feed_imports_t
    FROM feed
    GROUP BY commodity, year, exporter_iso3, origin_iso3
),
traced AS (
    SELECT r.importer_iso3, r.commodity, r.year, r.exporter_iso3,
           coalesce(f.origin_iso3, r.exporter_iso3) AS origin_iso3,
           r.quantity_t * coalesce(f.feed_share, 1) AS traced_t,
           f.exporter_iso3 IS NOT NULL AS feed_known,
           r.includes_shared_codes
    FROM refined r
    LEFT JOIN feed_shares f USING (commodity, year, exporter_iso3)
),
totals AS (
    SELECT importer_iso3, commodity, year, sum(quantity_t) AS refined_imports_t,
           bool_or(includes_shared_codes) AS includes_shared_codes
    FROM refined GROUP BY ALL
),
direct AS (
    SELECT importer_iso3, commodity, year, exporter_iso3 AS origin_iso3,
           sum(quantity_t) AS direct_t
    FROM refined GROUP BY ALL
),
looked AS (
    SELECT importer_iso3, commodity, year, origin_iso3, sum(traced_t) AS lookthrough_t,
           sum(traced_t) FILTER (WHERE NOT feed_known) AS untraced_t
    FROM traced GROUP BY ALL
)
SELECT
    importer_iso3,
    commodity,
    year,
    origin_iso3,
    t.refined_imports_t,
    coalesce(d.direct_t, 0) AS direct_t,
    coalesce(d.direct_t, 0) / t.refined_imports_t AS direct_share,
    coalesce(l.lookthrough_t, 0) AS lookthrough_t,
    coalesce(l.lookthrough_t, 0) / t.refined_imports_t AS lookthrough_share,
    coalesce(l.untraced_t, 0) AS untraced_t,
    fs.own_stage AS own_feed_stage,
    'production, t content as USGS reports it (' || fs.own_stage || ' stage)' AS own_feed_basis,
    s.feed_import_stage,
    'imports, t gross weight (BACI, ' || s.feed_import_stage || '-stage HS codes)'
        AS feed_import_basis,
    'imports, t gross weight (BACI, refining-stage HS codes)' AS refined_basis,
    t.includes_shared_codes
FROM (SELECT importer_iso3, commodity, year, origin_iso3 FROM direct
      UNION SELECT importer_iso3, commodity, year, origin_iso3 FROM looked) k
JOIN totals t USING (importer_iso3, commodity, year)
LEFT JOIN direct d USING (importer_iso3, commodity, year, origin_iso3)
LEFT JOIN looked l USING (importer_iso3, commodity, year, origin_iso3)
JOIN feed_stage fs USING (commodity)
JOIN import_stage s USING (commodity)
ORDER BY importer_iso3, commodity, year, lookthrough_share DESC
