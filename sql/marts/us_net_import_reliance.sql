-- marts.us_net_import_reliance: one row per (commodity, product, year): USGS's own US net import
-- reliance (MCS2026 salient statistics) with the quantities it is computed from and USGS's
-- import sources 2021-24. NIR = (imports - exports +/- government and industry stock changes)
-- / apparent consumption x 100 (USGS MCS, Appendix: net import reliance); E = net exporter.
-- Every figure beside the NIR is for the NIR's own product: the consumption it divides by, and
-- the import-source table(s) of that product: named in staging.usgs_nir_products where the file's
-- labels do not say it (nickel divides by total apparent consumption; heavy rare earths have a
-- table per element), else the same product, else a chapter-wide NIR's combined table ("Total
-- metal and oxide", "Combined total"), else the only table of a chapter with one NIR product.
-- A product USGS prints no table for has none (rare-earth concentrates do not take the
-- compounds' 71%).
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
products AS (  -- each NIR product and the seed's word on it (empty: the default matching)
    SELECT DISTINCT n.commodity, n.product, n.salient_product,
           coalesce(s.consumption_product, '') AS consumption_product,
           coalesce(s.import_source_products, '') AS import_source_products
    FROM nir n
    LEFT JOIN staging.usgs_nir_products s
      ON s.commodity = n.commodity AND s.nir_product = n.salient_product
),
tables AS (  -- USGS's import-source tables: one per (commodity, product)
    SELECT commodity, product,
           string_agg(country || ' ' || value_raw || '%', ', '
                      ORDER BY amount DESC NULLS LAST, country) AS listing,
           sum(amount) FILTER (WHERE country_iso3 = 'CHN') AS china_pct,
           any_value(value_raw) FILTER (WHERE country_iso3 = 'CHN') AS china_raw
    FROM staging.us_salient
    WHERE statistic = 'import_source_share'
    GROUP BY commodity, product
),
matched AS (  -- the table(s) of each NIR product: the seed's, else the best default match
    SELECT p.commodity, p.product, unnest(string_split(p.import_source_products, ';')) AS table_product
    FROM products p WHERE p.import_source_products NOT IN ('', 'none')
    UNION ALL
    SELECT commodity, product, table_product FROM (
        SELECT p.commodity, p.product, t.product AS table_product,
               CASE WHEN t.product = p.salient_product THEN 1
                    WHEN p.salient_product = '' AND regexp_matches(t.product, '^(total|combined total)')
                        THEN 2
                    ELSE 3 END AS rule
        FROM products p
        JOIN tables t ON t.commodity = p.commodity
        WHERE p.import_source_products = ''
          AND (t.product = p.salient_product
               OR (p.salient_product = '' AND regexp_matches(t.product, '^(total|combined total)'))
               OR ((SELECT count(DISTINCT x.product) FROM products x WHERE x.commodity = p.commodity) = 1
                   AND (SELECT count(*) FROM tables y WHERE y.commodity = p.commodity) = 1))
        QUALIFY rank() OVER (PARTITION BY p.commodity, p.product ORDER BY rule) = 1
    )
),
sources AS (  -- one table: its listing and China's share; several: each table, China's in each
    SELECT m.commodity, m.product,
           string_agg(m.table_product, '; ' ORDER BY m.table_product) AS import_sources_product,
           CASE WHEN count(*) = 1 THEN any_value(t.listing)
                ELSE string_agg(m.table_product || ': ' || t.listing, '; '
                                ORDER BY t.china_pct DESC NULLS LAST, m.table_product)
           END AS top_import_sources,
           CASE WHEN count(*) = 1 THEN any_value(t.china_pct) / 100 END AS china_pct_share,
           CASE WHEN count(*) > 1 AND bool_or(t.china_pct IS NOT NULL) THEN
               string_agg(m.table_product || ' ' || coalesce(t.china_raw || '%', 'not listed'),
                          ', ' ORDER BY t.china_pct DESC NULLS LAST, m.table_product)
           END AS china_by_product
    FROM matched m
    JOIN tables t ON t.commodity = m.commodity AND t.product = m.table_product
    GROUP BY m.commodity, m.product
),
pick AS (  -- the same product (for consumption, the seed's), or the statistic's only product
    SELECT n.*, q.statistic, q.amount AS q_amount
    FROM nir n
    JOIN products p USING (commodity, product)
    JOIN quantities q
      ON q.commodity = n.commodity AND q.year = n.year
     AND (q.product = CASE WHEN q.statistic = n.consumption_basis AND p.consumption_product <> ''
                           THEN p.consumption_product ELSE n.salient_product END
          OR (q.n_products = 1 AND q.product = ''))
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
    s.china_pct_share AS china_import_source_share,
    n.consumption_basis,
    EXISTS (SELECT 1 FROM staging.dim_critical_list c
            WHERE c.commodity = n.commodity AND c.list = 'usgs_2022') AS is_critical_2022,
    n.source_file,
    n.source_row,
    s.import_sources_product,
    s.china_by_product AS china_import_source_share_by_product
FROM nir n
LEFT JOIN sources s USING (commodity, product)
ORDER BY n.commodity, n.product, n.year
