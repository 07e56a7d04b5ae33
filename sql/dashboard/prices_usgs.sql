-- Panel "Prices and unit values": USGS's price lines of the focus minerals (marts.prices, the
-- latest edition of each year, 2015 on), one line per product, US dollars per kilogram of what
-- the price weighs (the product as sold, or its content); units that are not a mass are left out
-- of the chart (the CLI prints them).
SELECT commodity_group AS commodity, product, replace(price_basis, '_', ' ') AS basis,
       coalesce(terms, '') AS terms, coalesce(quoted_source, 'USGS cites none') AS quoted_source,
       unit_basis, year, is_estimate, edition, round(price_usd_per_kg, 4) AS usd_per_kg
FROM marts.prices
WHERE is_latest_edition AND price_usd_per_kg > 0 AND year >= 2015
  AND commodity_group IN (SELECT commodity FROM staging.focus_commodities)
ORDER BY commodity, product, year
