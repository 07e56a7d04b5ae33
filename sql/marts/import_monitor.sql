-- marts.import_monitor: the latest month per importer and controlled line, against the same
-- month a year earlier, with an alert for a drop or a surge. One row per (source, importer_iso3,
-- nomenclature, code, origin) for the lines of the measures (staging.control_lines) and the
-- origins CHN (China; only where the source reports China for the importer at all) and WLD
-- (every origin it reports: origins_reported says how many), at the source's latest month for
-- that importer (a month with no row for the line or origin had no recorded imports). Alert: drop when the
-- month fell by half or more against the same month a year earlier, surge when it doubled or
-- more; on net mass (recording outliers left out) where the year-earlier month has 1 t or
-- more, else on value where it has 100,000 USD or more (publishers that give no mass), else no
-- alert (too small to read). The alert text states the scope (line, product, basket wording)
-- and the basis. since: the latest measure on China's exports of the line that had taken effect
-- by that month (a measure suspended before it took effect never applied; a rule on foreign-made
-- goods is not counted).
WITH lines AS (
    SELECT DISTINCT nomenclature, code FROM staging.control_lines WHERE coverage <> 'no line'
),
latest AS (
    SELECT source, importer_iso3, max(period) AS period, min(period) AS first_month
    FROM marts.import_monthly GROUP BY source, importer_iso3
),
-- the origins each source reports for the importer (any mapped line, any month): an extract
-- without China (the snapshot's Comext rows hold only trade with the UK) says nothing about it
reported AS (
    SELECT source, importer_iso3,
           count(DISTINCT origin_iso3) FILTER (WHERE origin_iso3 <> 'WLD')::INTEGER
               AS origins_reported,
           bool_or(origin_iso3 = 'CHN') AS reports_china
    FROM marts.import_monthly GROUP BY ALL
),
series AS (
    SELECT DISTINCT i.source, i.importer_iso3, i.nomenclature, i.code, i.commodity, i.element,
           i.product, i.stage, i.is_basket, i.scope_label, o.origin_iso3, r.origins_reported
    FROM marts.import_monthly i
    JOIN lines USING (nomenclature, code)
    JOIN reported r USING (source, importer_iso3)
    CROSS JOIN (VALUES ('CHN'), ('WLD')) o(origin_iso3)
    WHERE o.origin_iso3 = 'WLD' OR r.reports_china
),
cells AS (
    SELECT s.*, l.period, l.first_month,
           (l.period - INTERVAL 12 MONTH)::DATE AS year_earlier,
           (l.period - INTERVAL 12 MONTH)::DATE >= l.first_month AS has_year_earlier,
           -- no row in a covered month: no recorded imports (0); a row without a mass: null
           CASE WHEN n.period IS NULL THEN 0 ELSE n.value_usd END AS value_usd,
           CASE WHEN n.period IS NULL THEN 0 ELSE n.quantity_kg_checked END AS quantity_kg,
           n.unit_value_usd_per_kg,
           CASE WHEN y.period IS NULL THEN 0 ELSE y.value_usd END AS value_usd_year_earlier,
           CASE WHEN y.period IS NULL THEN 0 ELSE y.quantity_kg_checked END
               AS quantity_kg_year_earlier,
           y.unit_value_usd_per_kg AS unit_value_year_earlier
    FROM series s
    JOIN latest l USING (source, importer_iso3)
    LEFT JOIN marts.import_monthly n
      ON (n.source, n.importer_iso3, n.nomenclature, n.code, n.origin_iso3, n.period)
       = (s.source, s.importer_iso3, s.nomenclature, s.code, s.origin_iso3, l.period)
    LEFT JOIN marts.import_monthly y
      ON (y.source, y.importer_iso3, y.nomenclature, y.code, y.origin_iso3)
       = (s.source, s.importer_iso3, s.nomenclature, s.code, s.origin_iso3)
     AND y.period = (l.period - INTERVAL 12 MONTH)::DATE
),
measured AS (
    SELECT c.*,
           CASE WHEN has_year_earlier
                THEN quantity_kg / nullif(quantity_kg_year_earlier, 0) - 1 END AS quantity_change,
           CASE WHEN has_year_earlier
                THEN coalesce(value_usd, 0) / nullif(value_usd_year_earlier, 0) - 1 END
               AS value_change,
           -- net mass where the year-earlier month has one of 1 t or more, else value (some
           -- publishers give no mass, e.g. six-digit Census rows) of 100,000 USD or more
           CASE WHEN NOT has_year_earlier THEN NULL
                WHEN quantity_kg_year_earlier >= 1000 THEN 'net mass'
                WHEN coalesce(quantity_kg_year_earlier, 0) = 0 AND coalesce(quantity_kg, 0) = 0
                     AND value_usd_year_earlier >= 100000 THEN 'value' END AS alert_basis
    FROM cells c
),
alerted AS (
    SELECT m.*,
           CASE alert_basis WHEN 'net mass' THEN quantity_change
                            WHEN 'value' THEN value_change END AS change,
           CASE WHEN alert_basis IS NULL THEN NULL
                WHEN (CASE alert_basis WHEN 'net mass' THEN quantity_change
                                       ELSE value_change END) <= -0.5 THEN 'drop'
                WHEN (CASE alert_basis WHEN 'net mass' THEN quantity_change
                                       ELSE value_change END) >= 1 THEN 'surge' END AS alert
    FROM measured m
),
since AS (
    SELECT m.source, m.importer_iso3, m.nomenclature, m.code,
           arg_max(e.measure_id, e.effective) AS since_measure_id,
           max(e.effective) AS since_effective,
           arg_max(e.status, e.effective) AS since_status
    FROM (SELECT DISTINCT source, importer_iso3, nomenclature, code, period FROM cells) m
    JOIN staging.control_lines cl ON cl.nomenclature = m.nomenclature AND cl.code = m.code
    JOIN staging.export_controls e ON e.measure_id = cl.measure_id
    WHERE e.kind = 'control' AND e.effective <= m.period + INTERVAL 1 MONTH - INTERVAL 1 DAY
      AND (e.target_iso3 IS NULL OR e.target_iso3 = m.importer_iso3)
      -- a rule on foreign-made goods is not China's exports of the line; a measure suspended
      -- before it took effect never applied
      AND cl.coverage <> 'extraterritorial'
      AND NOT (e.status = 'suspended' AND e.status_changed <= e.effective)
    GROUP BY ALL
)
SELECT
    m.source,
    m.importer_iso3,
    m.nomenclature,
    m.code,
    m.origin_iso3,
    m.period,
    m.value_usd,
    m.quantity_kg,
    m.unit_value_usd_per_kg,
    m.year_earlier,
    CASE WHEN m.has_year_earlier THEN m.value_usd_year_earlier END AS value_usd_year_earlier,
    CASE WHEN m.has_year_earlier THEN m.quantity_kg_year_earlier END
        AS quantity_kg_year_earlier,
    CASE WHEN m.has_year_earlier THEN m.unit_value_year_earlier END
        AS unit_value_year_earlier_usd_per_kg,
    m.value_change,
    m.quantity_change,
    m.alert,
    m.alert_basis,
    CASE WHEN m.alert IS NOT NULL
        THEN m.importer_iso3 || ' imports from '
            || CASE m.origin_iso3 WHEN 'WLD' THEN 'all origins' ELSE 'China' END
            || ' of ' || m.scope_label || ' (' || m.alert_basis || ', ' || m.source || '): '
            || CASE m.alert_basis
                   WHEN 'net mass' THEN round(m.quantity_kg / 1000, 1) || ' t'
                   ELSE round(coalesce(m.value_usd, 0) / 1e6, 2) || ' million USD' END
            || ' in ' || strftime(m.period, '%Y-%m') || ', '
            || CASE WHEN m.change < 0 THEN '' ELSE '+' END
            || round(100 * m.change)::BIGINT || '% against '
            || CASE m.alert_basis
                   WHEN 'net mass' THEN round(m.quantity_kg_year_earlier / 1000, 1) || ' t'
                   ELSE round(m.value_usd_year_earlier / 1e6, 2) || ' million USD' END
            || ' in ' || strftime(m.year_earlier, '%Y-%m')
            || CASE WHEN m.is_basket THEN ' (a basket line: not any one element''s change)'
                    ELSE '' END
        END AS alert_text,
    s.since_measure_id,
    s.since_effective,
    s.since_status,
    m.commodity,
    m.element,
    m.product,
    m.stage,
    m.is_basket,
    m.scope_label,
    m.origins_reported
FROM alerted m
LEFT JOIN since s USING (source, importer_iso3, nomenclature, code)
ORDER BY m.importer_iso3, m.source, m.nomenclature, m.code, m.origin_iso3 = 'WLD', m.origin_iso3
