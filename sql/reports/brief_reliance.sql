-- `minerals brief ... --importer X`: USGS's US net import reliance on the commodity, latest
-- year of each product, when the importer is the United States or a bloc it belongs to (then
-- it is the US member's figure, not the bloc's), with USGS's own import sources.
SELECT product, year, nir_pct, nir_flag, nir_raw, apparent_consumption, unit,
       consumption_basis, top_import_sources, china_import_source_share, import_sources_product
FROM marts.us_net_import_reliance
WHERE commodity = $commodity
  AND ($importer = 'USA'
       OR 'USA' IN (SELECT iso3 FROM staging.bloc_members WHERE bloc = $importer))
QUALIFY year = max(year) OVER (PARTITION BY product)
ORDER BY product
