-- meta.source_files: every file the raw layer read in this refresh, with its hash and edition.
-- `editions` ends with the edition's year (USGS/IEA) or the latest data year (trade, and the
-- monthly customs sources: their last month), which
-- `minerals status` uses to say when a newer release is due.
SELECT 'usgs_mcs' AS source, source_file, any_value(_sha256) AS sha256,
       any_value(_fetched_at) AS fetched_at, any_value(_source) AS mode,
       string_agg(DISTINCT edition, ', ') AS editions, count(*) AS raw_rows
FROM raw.usgs_mcs_production
GROUP BY source_file
UNION ALL
SELECT 'usgs_myb', 'usgs_myb/' || source_file, any_value(_sha256), any_value(_fetched_at),
       any_value(_source), string_agg(DISTINCT edition, ', '), count(*)
FROM raw.usgs_myb_prices
GROUP BY source_file
UNION ALL
SELECT 'iea', source_file, any_value(_sha256), any_value(_fetched_at), any_value(_source),
       string_agg(DISTINCT edition, ', '), count(*)
FROM raw.iea_supply
GROUP BY source_file
UNION ALL
SELECT 'baci', _source_file, any_value(_sha256), NULL, NULL,
       'BACI HS92 data to ' || max(year), count(*)
FROM raw.baci_flows
GROUP BY _source_file
UNION ALL
SELECT 'baci', _source_file, any_value(_sha256), NULL, NULL,
       'BACI HS2017 data to ' || max(year), count(*)
FROM raw.baci_flows_hs17
GROUP BY _source_file
UNION ALL
SELECT 'comtrade', 'comtrade declarations', NULL, NULL, any_value(_source),
       'Comtrade data to ' || max(refYear), count(*)
FROM raw.comtrade_flows
UNION ALL
-- World Bank WGI: staging.governance keeps the vintage (`source`) and the data year it came from
SELECT 'wgi', source, NULL, NULL, NULL, 'WGI data to ' || max(source_year), count(*)
FROM staging.governance
GROUP BY source
UNION ALL
SELECT 'comtrade', _source_file, any_value(_sha256), NULL, any_value(_source),
       'Comtrade monthly data to ' || left(max(_period), 4), count(*)
FROM raw.comtrade_monthly
GROUP BY _source_file
UNION ALL
SELECT 'hmrc', _source_file, any_value(_sha256), max(_landed_at)::TIMESTAMPTZ, any_value(_source),
       'monthly data to ' || strftime(strptime(max(period), '%Y%m'), '%B %Y'), count(*)
FROM raw.partner_monthly_hmrc
GROUP BY _source_file
UNION ALL
SELECT 'eurostat', _source_file, any_value(_sha256), max(_landed_at)::TIMESTAMPTZ, any_value(_source),
       'monthly data to ' || strftime(strptime(max(period), '%Y%m'), '%B %Y'), count(*)
FROM raw.partner_monthly_eurostat
GROUP BY _source_file
UNION ALL
SELECT 'uscensus', _source_file, any_value(_sha256), max(_landed_at)::TIMESTAMPTZ, any_value(_source),
       'monthly data to ' || strftime(strptime(max(period), '%Y%m'), '%B %Y'), count(*)
FROM raw.partner_monthly_uscensus
GROUP BY _source_file
UNION ALL
SELECT 'estat_japan', _source_file, any_value(_sha256), max(_landed_at)::TIMESTAMPTZ, any_value(_source),
       'monthly data to ' || strftime(strptime(max(period), '%Y%m'), '%B %Y'), count(*)
FROM raw.partner_monthly_estat_japan
GROUP BY _source_file
UNION ALL
SELECT 'comexstat', _source_file, any_value(_sha256), max(_landed_at)::TIMESTAMPTZ, any_value(_source),
       'monthly data to ' || strftime(strptime(max(period), '%Y%m'), '%B %Y'), count(*)
FROM raw.partner_monthly_comexstat
GROUP BY _source_file
UNION ALL
SELECT 'ecb', file, any_value(_sha256), NULL, NULL,
       'ECB monthly rates to ' || strftime(max(period), '%B %Y'), count(*)
FROM raw.ecb_fx_monthly
GROUP BY file
ORDER BY source, source_file
