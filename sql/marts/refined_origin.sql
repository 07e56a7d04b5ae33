-- Look-through origin of refined imports, in tonnes of content: one row per (importer,
-- commodity, year, origin).
-- Direct: each exporter's share of the importer's refining-stage imports.
-- Look-through: each exporter's supply attributed to the origins of its feed in proportion to
-- them: its own output at the feed stage (USGS) and its imports of feed by origin (BACI). This
-- is the proportionality assumption of multi-regional input-output analysis (Leontief; Lenzen et
-- al. 2012; used on bilateral trade by Kastner et al. 2011, Ecological Economics 70(6)), one
-- level deep. Feed: the commodity's mining stage where USGS publishes mine output (rare earths,
-- lithium); its refining stage where there is no mine (gallium, germanium: by-products). Feed
-- imports: the commodity's mining-stage HS codes where some are mapped, else its refining-stage
-- codes (intermediates such as mixed rare-earth carbonate travel under HS 2846).
-- One basis on both sides: USGS counts content (t REO, t Ga, t Li), so every traded tonne is
-- put on content with its code's factor (staging.trade_content_factors). A commodity with a
-- refined or feed code that has no factor is left out: content is never set against gross
-- weight. Years are those of the USGS series (an exporter's mine output is never missing for
-- want of a year). An exporter with neither output nor feed imports stays its own origin
-- (feed_known false).
WITH importers(importer_iso3) AS (VALUES ('USA'), ('JPN'), ('EU27'), ('USA_JPN')),
own_series AS (  -- where each commodity's own output is counted, and in which years
    SELECT commodity,
           CASE WHEN bool_or(stage = 'mining') THEN 'mining' ELSE 'refining' END AS own_stage,
           list(DISTINCT year) AS years
    FROM marts.country_share
    WHERE basis = 'production' AND source = 'usgs_mcs' AND NOT is_projection
    GROUP BY commodity
),
feed_codes AS (  -- the stage of the codes counted as feed imports
    SELECT commodity,
           CASE WHEN bool_or(stage = 'mining') THEN 'mining' ELSE 'refining' END AS import_stage
    FROM staging.dim_hs_mineral
    GROUP BY commodity
),
traced_commodities AS (  -- every refined and feed code has a content factor
    SELECT h.commodity, o.own_stage, o.years, f.import_stage,
           any_value(c.content_unit) AS content_unit
    FROM staging.dim_hs_mineral h
    JOIN own_series o USING (commodity)
    JOIN feed_codes f USING (commodity)
    LEFT JOIN staging.trade_content_factors c USING (nomenclature, hs6)
    WHERE h.stage IN ('refining', f.import_stage)
    GROUP BY ALL
    HAVING bool_and(c.factor IS NOT NULL)
),
flows AS (  -- country importers, on content
    SELECT t.importer_iso3, t.exporter_iso3, t.commodity, t.stage, t.year,
           t.quantity_t, t.quantity_t * c.factor AS content_t,
           t.exclusivity = 'shared' AS is_shared
    FROM staging.trade_flows_checked t
    JOIN staging.trade_content_factors c USING (nomenclature, hs6)
    JOIN traced_commodities tc
      ON tc.commodity = t.commodity AND list_contains(tc.years, t.year)
    WHERE t.quantity_t > 0
),
bloc_flows AS (  -- blocs count only imports from outside the bloc (as staging.import_by_supplier)
    SELECT m.bloc AS importer_iso3, f.exporter_iso3, f.commodity, f.stage, f.year,
           f.quantity_t, f.content_t, f.is_shared
    FROM flows f
    JOIN staging.bloc_members m
      ON m.iso3 = f.importer_iso3
     AND (m.joined IS NULL OR f.year >= m.joined) AND (m."left" IS NULL OR f.year < m."left")
    WHERE NOT EXISTS (
        SELECT 1 FROM staging.bloc_members x
        WHERE x.bloc = m.bloc AND x.iso3 = f.exporter_iso3
          AND (x.joined IS NULL OR f.year >= x.joined) AND (x."left" IS NULL OR f.year < x."left")
    )
),
refined AS (
    SELECT importer_iso3, exporter_iso3, commodity, year, sum(content_t) AS content_t,
           sum(quantity_t) AS quantity_t, bool_or(is_shared) AS includes_shared_codes
    FROM (SELECT * FROM flows UNION ALL SELECT * FROM bloc_flows)
    JOIN importers USING (importer_iso3)
    WHERE stage = 'refining'
    GROUP BY ALL
),
own AS (  -- exporters' own output at the feed stage (USGS, content)
    SELECT c.commodity, c.year, c.iso3 AS exporter_iso3, c.amount AS feed_t
    FROM marts.country_share c
    JOIN traced_commodities tc ON tc.commodity = c.commodity AND tc.own_stage = c.stage
    WHERE c.basis = 'production' AND c.source = 'usgs_mcs' AND NOT c.is_projection
      AND c.amount > 0
),
feed_imports AS (  -- exporters' imports of feed by origin (BACI, content)
    SELECT f.commodity, f.year, f.importer_iso3 AS exporter_iso3, f.exporter_iso3 AS origin_iso3,
           sum(f.content_t) AS feed_t
    FROM flows f
    JOIN traced_commodities tc ON tc.commodity = f.commodity AND tc.import_stage = f.stage
    WHERE f.importer_iso3 IN (SELECT exporter_iso3 FROM refined)
    GROUP BY ALL
),
feed AS (
    SELECT commodity, year, exporter_iso3, exporter_iso3 AS origin_iso3, feed_t FROM own
    UNION ALL
    SELECT commodity, year, exporter_iso3, origin_iso3, feed_t FROM feed_imports
),
feed_shares AS (
    SELECT commodity, year, exporter_iso3, origin_iso3,
           sum(feed_t) / sum(sum(feed_t)) OVER (PARTITION BY commodity, year, exporter_iso3)
               AS feed_share
    FROM feed
    GROUP BY commodity, year, exporter_iso3, origin_iso3
),
traced AS (
    SELECT r.importer_iso3, r.commodity, r.year,
           coalesce(f.origin_iso3, r.exporter_iso3) AS origin_iso3,
           r.content_t * coalesce(f.feed_share, 1) AS traced_t,
           f.exporter_iso3 IS NOT NULL AS feed_known
    FROM refined r
    LEFT JOIN feed_shares f USING (commodity, year, exporter_iso3)
),
totals AS (
    SELECT importer_iso3, commodity, year, sum(content_t) AS refined_imports_t,
           sum(quantity_t) AS refined_imports_gross_t,
           bool_or(includes_shared_codes) AS includes_shared_codes
    FROM refined GROUP BY ALL
),
direct AS (
    SELECT importer_iso3, commodity, year, exporter_iso3 AS origin_iso3, sum(content_t) AS direct_t
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
    tc.content_unit,
    t.refined_imports_t,
    coalesce(d.direct_t, 0) AS direct_t,
    coalesce(d.direct_t, 0) / t.refined_imports_t AS direct_share,
    coalesce(l.lookthrough_t, 0) AS lookthrough_t,
    coalesce(l.lookthrough_t, 0) / t.refined_imports_t AS lookthrough_share,
    coalesce(l.untraced_t, 0) AS untraced_t,
    tc.own_stage AS own_feed_stage,
    'production, ' || tc.content_unit || ' (USGS, ' || tc.own_stage || ' stage)' AS own_feed_basis,
    tc.import_stage AS feed_import_stage,
    'imports, ' || tc.content_unit || ': BACI gross weight x content factor of each '
        || tc.import_stage || '-stage HS code' AS feed_import_basis,
    'imports, ' || tc.content_unit || ': BACI gross weight x content factor of each '
        || 'refining-stage HS code' AS refined_basis,
    t.includes_shared_codes,
    t.refined_imports_gross_t
FROM (SELECT importer_iso3, commodity, year, origin_iso3 FROM direct
      UNION SELECT importer_iso3, commodity, year, origin_iso3 FROM looked) k
JOIN totals t USING (importer_iso3, commodity, year)
LEFT JOIN direct d USING (importer_iso3, commodity, year, origin_iso3)
LEFT JOIN looked l USING (importer_iso3, commodity, year, origin_iso3)
JOIN traced_commodities tc USING (commodity)
ORDER BY importer_iso3, commodity, year, lookthrough_share DESC
