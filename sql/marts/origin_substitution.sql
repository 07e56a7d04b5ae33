-- marts.origin_substitution: which origins replaced China, by month and line. One row per
-- (source, importer_iso3, nomenclature, code, period, origin_iso3) for every origin other than
-- China with imports of the line in the month or in the same month a year earlier, both months
-- inside the source's coverage (marts.import_monthly; net mass checked for recording outliers).
-- china_change_kg: China's change against the same month a year earlier; origin_change_kg: this
-- origin's. offset_share: the share of China's fall this origin's rise made up (both by net
-- mass), only where China fell and the origin rose; rank_gain orders the rising origins of the
-- month. Same-month comparisons keep seasonality out; a single month is noisy, read it with
-- the event study's windows.
WITH coverage AS (
    SELECT source, importer_iso3, min(period) AS first_month, max(period) AS last_month
    FROM marts.import_monthly GROUP BY source, importer_iso3
    -- an extract that holds no imports from China for the importer (the snapshot's Comext rows:
    -- trade with the UK only) cannot say what China's share did
    HAVING bool_or(origin_iso3 = 'CHN')
),
lines AS (
    SELECT DISTINCT source, importer_iso3, nomenclature, code, commodity, element, product,
           stage, is_basket, scope_label
    FROM marts.import_monthly
),
months AS (
    SELECT l.*, m.period
    FROM lines l
    JOIN coverage c USING (source, importer_iso3)
    CROSS JOIN LATERAL (
        SELECT unnest(generate_series(c.first_month + INTERVAL 12 MONTH, c.last_month,
                                      INTERVAL 1 MONTH))::DATE AS period) m
),
cell AS (
    SELECT source, importer_iso3, nomenclature, code, origin_iso3, period, value_usd,
           quantity_kg_checked AS kg
    FROM marts.import_monthly
),
china AS (
    SELECT m.source, m.importer_iso3, m.nomenclature, m.code, m.period,
           coalesce(n.kg, 0) AS china_kg, coalesce(y.kg, 0) AS china_kg_year_earlier,
           coalesce(n.value_usd, 0) AS china_value, coalesce(w.value_usd, 0) AS all_value,
           coalesce(wy.value_usd, 0) AS all_value_year_earlier
    FROM months m
    LEFT JOIN cell n ON (n.source, n.importer_iso3, n.nomenclature, n.code, n.period, n.origin_iso3)
                      = (m.source, m.importer_iso3, m.nomenclature, m.code, m.period, 'CHN')
    LEFT JOIN cell y ON (y.source, y.importer_iso3, y.nomenclature, y.code, y.origin_iso3)
                      = (m.source, m.importer_iso3, m.nomenclature, m.code, 'CHN')
                     AND y.period = (m.period - INTERVAL 12 MONTH)::DATE
    LEFT JOIN cell w ON (w.source, w.importer_iso3, w.nomenclature, w.code, w.period, w.origin_iso3)
                      = (m.source, m.importer_iso3, m.nomenclature, m.code, m.period, 'WLD')
    LEFT JOIN cell wy ON (wy.source, wy.importer_iso3, wy.nomenclature, wy.code, wy.origin_iso3)
                       = (m.source, m.importer_iso3, m.nomenclature, m.code, 'WLD')
                      AND wy.period = (m.period - INTERVAL 12 MONTH)::DATE
),
others AS (
    SELECT m.source, m.importer_iso3, m.nomenclature, m.code, m.period, o.origin_iso3,
           coalesce(sum(o.value_usd) FILTER (WHERE o.period = m.period), 0) AS value_usd,
           coalesce(sum(o.kg) FILTER (WHERE o.period = m.period), 0) AS quantity_kg,
           coalesce(sum(o.value_usd) FILTER (WHERE o.period < m.period), 0)
               AS value_usd_year_earlier,
           coalesce(sum(o.kg) FILTER (WHERE o.period < m.period), 0) AS quantity_kg_year_earlier
    FROM months m
    JOIN cell o ON (o.source, o.importer_iso3, o.nomenclature, o.code)
                 = (m.source, m.importer_iso3, m.nomenclature, m.code)
                AND o.period IN (m.period, (m.period - INTERVAL 12 MONTH)::DATE)
                AND o.origin_iso3 NOT IN ('CHN', 'WLD')
    GROUP BY ALL
),
joined AS (
    SELECT o.*, c.china_kg, c.china_kg_year_earlier, c.all_value, c.all_value_year_earlier,
           c.china_kg - c.china_kg_year_earlier AS china_change_kg,
           o.quantity_kg - o.quantity_kg_year_earlier AS origin_change_kg
    FROM others o
    JOIN china c USING (source, importer_iso3, nomenclature, code, period)
)
SELECT
    j.source,
    j.importer_iso3,
    j.nomenclature,
    j.code,
    j.period,
    j.origin_iso3,
    j.value_usd,
    j.quantity_kg,
    j.value_usd_year_earlier,
    j.quantity_kg_year_earlier,
    j.origin_change_kg,
    j.china_kg AS china_quantity_kg,
    j.china_kg_year_earlier AS china_quantity_kg_year_earlier,
    j.china_change_kg,
    CASE WHEN j.china_change_kg < 0 AND j.origin_change_kg > 0
        THEN j.origin_change_kg / -j.china_change_kg END AS offset_share,
    CASE WHEN j.origin_change_kg > 0
        THEN rank() OVER (PARTITION BY j.source, j.importer_iso3, j.nomenclature, j.code,
                                       j.period, j.origin_change_kg > 0
                          ORDER BY j.origin_change_kg DESC)::INTEGER END AS rank_gain,
    j.value_usd / nullif(j.all_value, 0) AS share_of_imports,
    j.value_usd_year_earlier / nullif(j.all_value_year_earlier, 0) AS share_year_earlier,
    l.commodity,
    l.element,
    l.product,
    l.stage,
    l.is_basket,
    l.scope_label
FROM joined j
JOIN lines l USING (source, importer_iso3, nomenclature, code)
ORDER BY j.source, j.importer_iso3, j.nomenclature, j.code, j.period, rank_gain NULLS LAST,
         j.origin_iso3
