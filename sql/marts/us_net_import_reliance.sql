-- marts.us_net_import_reliance: one row per (commodity, product, year): USGS's own US net import
-- reliance (MCS2026 salient statistics) with the quantities it is computed from and USGS's
-- import sources 2021-24. NIR = (imports - exports +/- government and industry stock changes)
-- / apparent consumption x 100 (USGS MCS, Appendix: net import reliance); E = net exporter.
WITH nir AS (
    SELECT commodity,
           product || CASE WHEN count(*) OVER w > 1
                           THEN ' (series ' || row_number() OVER (w ORDER BY source_row) || ')'
                           ELSE '' END AS product,
           product AS salient_product, year, amount, value_flag, value_raw, is_critical_2025,
           CASE WHEN statistic_detail ILIKE '%reported consumption%' THEN 'reported_consumption'
                WHEN statistic_detail ILIKE '%estimated consumption%' THEN 'estimated_consumption'
                ELSE 'apparent_consumption' END AS consumption_basis,
           source_file, source_row
    FROM staging.us_salient
    WHERE statistic = 'net_import_reliance'
    WINDOW w AS (PARTITION BY commodity, product, year)
),
quantities AS (  -- mass rows in tonnes; one per (commodity, statistic, product, year) or none
    SELECT commodity, statistic, product, year, amount, value_flag,
           count(*) OVER (PARTITION BY commodity, statistic, year) AS n_products
    FROM staging.us_salient
    WHERE unit = 't'
      AND statistic IN ('imports', 'exports', 'apparent_consumption', 'reported_consumption',
                        'estimated_consumption')
    QUALIFY count(*) OVER (PARTITION BY commodity, statistic, product, year) = 1
),
sources AS (
    SELECT commodity, product,
           string_agg(country || ' ' || value_raw || '%', ', '
                      ORDER BY amount DESC NULLS LAST, country) AS top_import_sources,
           sum(amount) FILTER (WHERE country_iso3 = 'CHN') AS china_pct,
           count(DISTINCT product) OVER (PARTITION BY commodity) AS n_products
    FROM staging.us_salient
    WHERE statistic = 'import_source_share'
    GROUP BY commodity, product
),
pick AS (  -- the same product, or the only product the statistic has that year
    SELECT n.*, q.statistic, q.amount AS q_amount
    FROM nir n
    JOIN quantities q
      ON q.commodity = n.commodity AND q.year = n.year
     AND (q.product = n.salient_product OR (q.n_products = 1 AND q.product = ''))
    QUALIFY row_number() OVER (
        PARTITION BY n.commodity, n.product, n.year, q.statistic
        ORDER BY (q.product = n.salient_product) DESC) = 1
)
SELECT
    n.commodity,
    n.product,
    n.year,
    CASE WHEN n.value_flag IN ('reported', 'estimated', 'none') THEN n.amount END AS nir_pct,
    n.value_flag AS nir_flag,
    n.value_raw AS nir_raw,
    (SELECT p.q_amount FROM pick p WHERE p.commodity = n.commodity AND p.product = n.product
       AND p.year = n.year AND p.statistic = n.consumption_basis) AS apparent_consumption,
    (SELECT p.q_amount FROM pick p WHERE p.commodity = n.commodity AND p.product = n.product
       AND p.year = n.year AND p.statistic = 'imports') AS imports,
    (SELECT p.q_amount FROM pick p WHERE p.commodity = n.commodity AND p.product = n.product
       AND p.year = n.year AND p.statistic = 'exports') AS exports,
    't' AS unit,
    coalesce(n.is_critical_2025, false) AS is_critical_2025,
    s.top_import_sources,
    s.china_pct / 100 AS china_import_source_share,
    n.consumption_basis,
    EXISTS (SELECT 1 FROM staging.dim_critical_list c
            WHERE c.commodity = n.commodity AND c.list = 'usgs_2022') AS is_critical_2022,
    n.source_file,
    n.source_row
FROM nir n
LEFT JOIN sources s
  ON s.commodity = n.commodity AND (s.product = n.salient_product OR s.n_products = 1)
QUALIFY row_number() OVER (PARTITION BY n.commodity, n.product, n.year
                           ORDER BY (s.product = n.salient_product) DESC NULLS LAST) = 1
ORDER BY n.commodity, n.product, n.year
