-- Panel "US net import reliance": USGS's net import reliance of the United States, latest year
-- of each focus commodity and product; the flag USGS prints instead of a number (E, >50, W) is
-- kept for the words.
SELECT commodity, product, year, nir_pct, nir_flag, nir_raw,
       china_import_source_share, top_import_sources
FROM marts.us_net_import_reliance
WHERE commodity IN (SELECT commodity FROM staging.focus_commodities)
QUALIFY year = max(year) OVER (PARTITION BY commodity, product)
ORDER BY commodity, product
